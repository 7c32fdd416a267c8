"""Every model that holds a person's data is in the personal-data registry."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from personal_data.registry import personal_data_categories

# Models with a foreign key to the user that are deliberately in no
# category, each with the reason. Adding a model with a user foreign key
# means registering it (``<app>/personal_data.py``) or adding it here with
# a reason a reviewer will accept.
ALLOWED_WITHOUT_CATEGORY = {
    "audit.AuditEvent": (
        "The audit log holds ids, codes and field names only (record() refuses personal values); its user column "
        "is the actor, and it must outlive the data it describes to stay tamper-evident."
    ),
    "admin.LogEntry": (
        "Django admin's change log: its user is the staff member who acted (an actor column of staff), and "
        "object_repr is 'user #<id>'-style text, never a personal value."
    ),
    **dict.fromkeys(
        (
            "oauth2_provider.Application",
            "oauth2_provider.AccessToken",
            "oauth2_provider.RefreshToken",
            "oauth2_provider.Grant",
            "oauth2_provider.IDToken",
            "oauth2_provider.DeviceGrant",
        ),
        "django-oauth-toolkit's user column, never filled here: services authenticate with the client credentials "
        "grant (accounts/service_clients), which has no resource owner, and the authorize endpoint that would tie a "
        "grant or token to a person is not mounted.",
    ),
    "personal_data.LegalHold": (
        "A legal hold is the legal ground for keeping a person's data, not data about them: it names the person by "
        "id, its reason may not contain personal data (the service refuses it), and it must outlive erasure; "
        "holds are lifted, never erased. The person is told which categories were kept and why (hold_reason)."
    ),
    "privacy_requests.RequestNote": (
        "Staff's internal notes on a request (issue #15): working material of the officers, never shown or "
        "exported to the citizen; its user column is the staff author. A note is deleted when the person's "
        "requests are erased (erase_privacy_requests), so it never outlives them."
    ),
    "privacy_requests.ErasureInstruction": (
        "The record that a service was told to erase a person's copy and whether it confirmed: ids and category "
        "codes only; its user column is the privacy officer who closed it (an actor column of staff). It must "
        "outlive the erasure it proves."
    ),
}


def _user_fk_models() -> set[str]:
    user_label = settings.AUTH_USER_MODEL
    found = set()
    for model in apps.get_models():
        model = model._meta.concrete_model  # a proxy is covered by the model it stands for
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey)  # OneToOneField is a ForeignKey
                and field.concrete
                and field.remote_field.model._meta.label == user_label
            ):
                found.add(model._meta.label)
    return found


def _registered_models(categories) -> set[str]:
    return {model._meta.label for category in categories for model in category.models}


def uncovered(categories) -> set[str]:
    return _user_fk_models() - _registered_models(categories) - set(ALLOWED_WITHOUT_CATEGORY)


def test_every_model_with_a_user_foreign_key_is_registered_or_allowed_with_a_reason():
    missing = uncovered(personal_data_categories())
    assert not missing, (
        f"models with a user foreign key in no personal-data category: {sorted(missing)}; register them in "
        "<app>/personal_data.py or add them to ALLOWED_WITHOUT_CATEGORY with a reason"
    )


def test_a_model_left_out_of_the_registry_is_caught():
    # What a forgotten registration looks like: drop the locations entry.
    without_locations = [c for c in personal_data_categories() if c.code != "locations"]
    assert uncovered(without_locations) == {"consents.LocationRecord"}


def test_the_allow_list_names_real_models_with_a_user_foreign_key_and_gives_reasons():
    user_fk = _user_fk_models()
    for label, reason in ALLOWED_WITHOUT_CATEGORY.items():
        assert label in user_fk, f"{label} needs no allow-list entry"
        assert len(reason) > 40
    # Nothing is both registered and excused.
    assert not set(ALLOWED_WITHOUT_CATEGORY) & _registered_models(personal_data_categories())


@pytest.mark.parametrize(
    "code",
    [
        "profile",
        "identity_verifications",
        "strong_verifications",
        "sign_in_activity",
        "sessions",
        "two_factor",
        "guardian_links",
        "step_up_checks",
        "consents",
        "consent_ledger",
        "policy_displays",
        "cookie_choices",
        "locations",
        "interest_tags",
        "optional_services",
        "inbox_messages",
        "emails",
        "privacy_requests",
        "request_events",
        "request_messages",
        "request_outcomes",
        "export_files",
        "social_accounts",
    ],
)
def test_the_categories_the_issue_names_are_registered(code):
    entries = {category.code: category for category in personal_data_categories()}
    entry = entries[code]
    assert callable(entry.exporter)
    assert callable(entry.eraser)
    assert str(entry.label)
    assert entry.models
