"""The registry finds every app's personal_data.py by itself, in the order the setting writes down."""

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from personal_data.registry import categories, personal_data_categories
from personal_data.retention_conditions import retention_condition_names

# The export ZIP and the summary pages list the categories in this order; it must not move by accident.
EXPORT_ORDER = [
    "profile",
    "identity_verifications",
    "sign_in_activity",
    "sessions",
    "two_factor",
    "guardian_links",
    "step_up_checks",
    "social_accounts",
    "delivery_addresses",
    "consents",
    "consent_ledger",
    "cookie_choices",
    "policy_displays",
    "locations",
    "interest_tags",
    "service_checks",
    "optional_services",
    "strong_verifications",
    "disclosures",
    "incident_notices",
    "inbox_messages",
    "emails",
    "privacy_requests",
    "request_events",
    "request_messages",
    "request_outcomes",
    "export_files",
]


def test_every_app_with_a_personal_data_module_contributes():
    contributing = {
        config.label for config in apps.get_app_configs() if module_has_submodule(config.module, "personal_data")
    }
    assert {"accounts", "consents", "incidents", "personal_data", "privacy_requests"} <= contributing
    exporter_modules = {entry.exporter.__module__.split(".")[0] for entry in categories.entries()}
    assert contributing <= exporter_modules


def test_categories_come_in_the_written_down_order():
    assert [entry.code for entry in personal_data_categories()] == EXPORT_ORDER


def test_the_order_follows_the_setting_not_the_import_order(settings):
    settings.PERSONAL_DATA_APP_ORDER = ["privacy_requests", "accounts"]
    codes = [entry.code for entry in personal_data_categories()]
    assert codes[:5] == ["privacy_requests", "request_events", "request_messages", "request_outcomes", "export_files"]
    assert codes[5] == "profile"
    # Apps the setting does not name come after the named ones, in INSTALLED_APPS order.
    assert codes.index("profile") < codes.index("inbox_messages") < codes.index("consents")
    assert codes.index("consents") < codes.index("incident_notices")


def test_registering_the_same_entry_again_changes_nothing():
    before = personal_data_categories()
    entry = before[0]
    categories.register(entry.code, entry)
    assert personal_data_categories() == before


def test_named_retention_conditions_are_registered_by_the_apps_that_know_them():
    assert {"session_gone", "step_up_unused"} <= set(retention_condition_names())
