"""Reads: who an incident affects, the banner, notifications still running."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.selectors import citizen_accounts
from personal_data.registry import personal_data_categories

from .banner_table import incident_banners_table
from .models import Audience, Incident


def _user_links(model) -> list[str]:
    """Lookups from ``model`` to the user: direct foreign keys, or one hop through a model that has one."""
    user_model = get_user_model()
    direct: list[str] = []
    via: list[str] = []
    for field in model._meta.concrete_fields:
        target = getattr(field, "related_model", None)
        if not field.is_relation or target is None:
            continue
        if target is user_model:
            direct.append(field.name)
        else:
            via.extend(
                f"{field.name}__{inner.name}"
                for inner in target._meta.concrete_fields
                if inner.is_relation and inner.related_model is user_model
            )
    return direct or via


def users_with_data_in(*, category_code: str) -> QuerySet:
    """Active users with at least one row in the category's models: one query, set-based."""
    users = citizen_accounts()
    entry = next((c for c in personal_data_categories() if c.code == category_code), None)
    if entry is None:
        return users.none()
    condition = Q()
    for model in entry.models:
        if model is get_user_model():
            return users
        for lookup in _user_links(model):
            condition |= Q(pk__in=model._default_manager.filter(**{f"{lookup}__isnull": False}).values(lookup))
    if not condition:
        return users.none()
    return users.filter(condition)


def incident_recipients(*, incident: Incident) -> QuerySet:
    """The people ``incident`` affects, as its stored selection says (read at notification time)."""
    users = citizen_accounts()
    if incident.audience == Audience.CATEGORY:
        return users_with_data_in(category_code=incident.audience_category)
    if incident.audience == Audience.IDS:
        return users.filter(pk__in=incident.audience_user_ids or [])
    return users


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, str(c.label)) for c in personal_data_categories()]


def incident_banner_current() -> Incident | None:
    """The latest notified incident whose banner still shows: no query when the process's copy is fresh."""
    now = timezone.now()
    return next(
        (
            incident
            for incident in incident_banners_table.get()
            if incident.banner_until is not None and incident.banner_until > now
        ),
        None,
    )


def incidents_fan_outs_unfinished() -> QuerySet:
    return Incident.objects.filter(fan_out__isnull=False, fan_out__finished_at__isnull=True)
