"""The rows data migrations seed, put back after a flush emptied the database.

Transactional tests (browser tests, real workers) and benchmarks flush every
table, including what data migrations wrote: the purposes, partners, first
policy version, optional services, holiday calendar and retention rules.
They call this to start from the same reference data a freshly migrated
database has.
"""

import importlib

from django.apps import apps

SEED_MIGRATIONS = [
    ("consents", "0003_seed_catalogue"),
    ("consents", "0006_seed_optional_services"),
    ("privacy_requests", "0002_seed_calendar"),
    # Loads every default rule, the delivery rules of 0004 included.
    ("retention", "0002_seed_rules"),
]


def reference_data_ensure() -> None:
    for app_label, migration in SEED_MIGRATIONS:
        importlib.import_module(f"{app_label}.migrations.{migration}").seed(apps, None)
