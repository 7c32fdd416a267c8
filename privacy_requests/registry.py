"""The personal-data registry: every category the portal holds about a person.

Each app registers, per category, how to export it and how to erase it:

    register_personal_data(
        "consents", label=_("Consents and their history"),
        models=[ConsentState, ConsentEvent],
        exporter=export_consents,   # (user) -> iterable of dict rows, streamed
        eraser=erase_consents,      # (user) -> "deleted" | "anonymised"
    )

Export and deletion walk the registry, so a model with personal data that
is in no entry would be silently forgotten; a test fails when a model with
a foreign key to the user is in no entry.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalDataCategory:
    code: str
    label: object
    models: tuple
    exporter: Callable[..., Iterable[dict]]
    eraser: Callable[..., str]


_REGISTRY: dict[str, PersonalDataCategory] = {}


def register_personal_data(code: str, *, label, models: Iterable, exporter, eraser) -> PersonalDataCategory:
    entry = PersonalDataCategory(code=code, label=label, models=tuple(models), exporter=exporter, eraser=eraser)
    _REGISTRY[code] = entry
    return entry


def personal_data_categories() -> list[PersonalDataCategory]:
    from . import personal_data  # noqa: F401 - the registrations of every app

    return list(_REGISTRY.values())
