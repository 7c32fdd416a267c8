"""The personal-data registry: every category the portal holds about a person.

Each app registers, per category, how to export it and how to erase it, in
its own ``<app>/personal_data.py``:

    register_personal_data(
        "consents", label=_("Consents and their history"),
        models=[ConsentState, ConsentEvent],
        exporter=export_consents,   # (user) -> iterable of dict rows, streamed
        eraser=erase_consents,      # (user) -> "deleted" | "anonymised" | "kept"
        fields=CONSENT_FIELDS,      # personal_data.fields: label and type of each column
        purpose=_("Why we keep it, in one sentence the person reads in their export."),
        legal_basis=LegalBasis.CONSENT,
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
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.registry import Registry


class LegalBasis(models.TextChoices):
    """Why the portal may hold a category at all (PIPL article 13), as the export tells the person."""

    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Needed to provide the service you asked for")
    STATUTORY_DUTY = "statutory_duty", _("Statutory duty")


@dataclass(frozen=True)
class PersonalDataCategory:
    code: str
    label: object
    models: tuple
    exporter: Callable[..., Iterable[dict]]
    eraser: Callable[..., str]
    # The columns the exporter's rows carry (personal_data.fields), in the order they are shown.
    fields: tuple = ()
    purpose: object = ""
    legal_basis: str = ""

    def field(self, code: str):
        """The declaration of column ``code``, or None when the category does not declare it."""
        return next((declared for declared in self.fields if declared.code == code), None)


categories: Registry[PersonalDataCategory] = Registry(name="personal-data categories", module="personal_data")


def register_personal_data(
    code: str,
    *,
    label,
    models: Iterable,
    exporter,
    eraser,
    fields: Iterable = (),
    purpose="",
    legal_basis: str = "",
) -> PersonalDataCategory:
    entry = PersonalDataCategory(
        code=code,
        label=label,
        models=tuple(models),
        exporter=exporter,
        eraser=eraser,
        fields=tuple(fields),
        purpose=purpose,
        legal_basis=legal_basis,
    )
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


def category_labels() -> dict[str, object]:
    """Category code -> its label: how a person reads a category a request or an outcome names by its code."""
    return {entry.code: entry.label for entry in categories.entries()}
