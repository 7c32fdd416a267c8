"""Staff-side writes: the role groups, revealing a masked field, the sandbox registry."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import SandboxIdentity, User
from accounts.roles import StaffRole
from accounts.validators import clean_id_number
from audit.services import audit_record
from core.encryption import blind_index

from .masked_fields import is_revealable
from .roles import STAFF_PERMISSIONS

PERSONAL_DATA_REVEALED = "personal_data.revealed"
REVEAL_REASON_MIN_LENGTH = 10
REVEAL_REASON_MAX_LENGTH = 500


def _split(permission: str) -> tuple[str, str]:
    app_label, codename = permission.split(".", 1)
    return app_label, codename


def staff_groups_sync(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Group]:
    """Create the role groups and give each exactly the permissions of the matrix.

    Matrix entries whose permission does not exist (yet) are skipped; run
    again once the later app is migrated and they are granted.
    """
    wanted = {name for permissions in STAFF_PERMISSIONS.values() for name in permissions}
    query = Q()
    for name in wanted:
        app_label, codename = _split(name)
        query |= Q(content_type__app_label=app_label, codename=codename)
    existing = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.using(using).filter(query).select_related("content_type")
    }
    groups = {}
    with transaction.atomic(using=using):
        for role in StaffRole:
            group, _created = Group.objects.using(using).get_or_create(name=role.value)
            group.permissions.set([existing[name] for name in STAFF_PERMISSIONS[role.value] if name in existing])
            groups[role.value] = group
    return groups


def staff_permissions_unresolved(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Matrix entries for installed models whose permission is missing: typos, not placeholders."""
    unresolved = []
    for name in sorted({name for permissions in STAFF_PERMISSIONS.values() for name in permissions}):
        app_label, codename = _split(name)
        model_name = codename.split("_", 1)[1]
        try:
            apps.get_model(app_label, model_name)
        except LookupError:
            continue  # A later issue's model: a placeholder until it exists.
        found = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename)
        if not found.exists():
            unresolved.append(name)
    return unresolved


def _subject_user_id(target: models.Model) -> int:
    # Revealable fields sit on the user or on a model with a user foreign key (masked_fields.py).
    return target.pk if isinstance(target, User) else target.user_id  # type: ignore[attr-defined]


def personal_data_reveal(*, actor: User, target: models.Model, field: str, reason: str) -> str:
    """Return the full value of one masked field and record who saw it, whose, which and why.

    The audit event and the read happen in one transaction: no value is
    shown without its record. Raises ``ValidationError`` for a missing or
    too short reason and ``audit.services.PersonalDataInAuditDetails`` when
    the reason itself contains personal data (it is stored in the log).
    """
    if not is_revealable(type(target), field):
        raise ValueError(f"{type(target).__name__}.{field} is not a revealable field")
    reason = (reason or "").strip()
    if len(reason) < REVEAL_REASON_MIN_LENGTH:
        raise ValidationError(
            _("Give a reason of at least %(count)d characters.") % {"count": REVEAL_REASON_MIN_LENGTH},
            code="reason_too_short",
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=PERSONAL_DATA_REVEALED,
            target=target,
            details={"field": field, "reason": reason, "subject_user_id": _subject_user_id(target)},
        )
        # Read what is stored now, not what the page that offered the button saw.
        target.refresh_from_db(fields=[field])
        return getattr(target, field) or ""


def sandbox_identity_save(*, identity: SandboxIdentity, id_number: str | None, actor: User) -> SandboxIdentity:
    """Save a test identity of the sandbox provider; a new ``id_number`` is validated and re-hashed.

    The sandbox looks people up by ``id_number_hash`` only, so the hash is
    set here, from the same normalised form the provider hashes.
    """
    creating = identity._state.adding
    if id_number:
        normalised = clean_id_number(id_number)
        identity.id_number = normalised
        identity.id_number_hash = blind_index(normalised)
    elif creating:
        raise ValidationError(_("Enter the resident ID number."), code="required")
    with transaction.atomic():
        identity.save()
        audit_record(
            actor=actor,
            action="sandbox_identity.created" if creating else "sandbox_identity.changed",
            target=identity,
            details={"id_number_changed": bool(id_number)},
        )
    return identity
