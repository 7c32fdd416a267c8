"""The personal-data registry: every category the portal holds about a person.

Each app registers, per category, how to export it and how to erase it, in
its own ``<app>/personal_data.py``:

    register_personal_data(
        "consents", label=_("Consents and their history"),
        models=[ConsentState, ConsentEvent],
        exporter=export_consents,   # (user) -> iterable of dict rows, streamed
        eraser=erase_consents,      # (user) -> "deleted" | "anonymised" | "kept"
    )

``PersonalDataConfig.ready()`` imports those modules from every installed app
(``categories.autodiscover()``), so this app never names the apps above it.

Export and deletion walk the registry, so a model with personal data that is
in no entry would be silently forgotten; ``personal_data/tests/test_registry.py``
fails when a model with a foreign key to the user is in no entry.

The order categories come in (the export ZIP, the summary pages) is written
down in the ``PERSONAL_DATA_APP_ORDER`` setting, by contributing app; within an
app, its entries keep the order its module registers them in.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings

from core.registry import Registry


@dataclass(frozen=True)
class PersonalDataCategory:
    code: str
    label: object
    models: tuple
    exporter: Callable[..., Iterable[dict]]
    eraser: Callable[..., str]


categories: Registry[PersonalDataCategory] = Registry(name="personal-data categories", module="personal_data")


def register_personal_data(code: str, *, label, models: Iterable, exporter, eraser) -> PersonalDataCategory:
    entry = PersonalDataCategory(code=code, label=label, models=tuple(models), exporter=exporter, eraser=eraser)
    return categories.register(code, entry)


def _contributing_app(entry: PersonalDataCategory) -> str:
    """The label of the app whose module registered ``entry`` (read from where its exporter is defined)."""
    app_config = apps.get_containing_app_config(entry.exporter.__module__)
    return app_config.label if app_config else ""


def personal_data_categories() -> list[PersonalDataCategory]:
    """Every category, in the order of ``PERSONAL_DATA_APP_ORDER`` (apps it does not name come last)."""
    order = {label: position for position, label in enumerate(settings.PERSONAL_DATA_APP_ORDER)}
    entries = list(categories.entries())
    # sorted() is stable: within one app, the order of registration stands.
    return sorted(entries, key=lambda entry: order.get(_contributing_app(entry), len(order)))
