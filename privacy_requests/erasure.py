"""Erasing a person's data through the registry (deletion requests, account cancellation)."""

from collections.abc import Iterable

from personal_data.holds import is_held
from personal_data.registry import personal_data_categories

# Erased last: the account row and the requests are what the other
# categories' rows and the running request point at.
LAST = ("privacy_requests", "profile")


class UnknownCategory(ValueError):
    pass


def personal_data_erase(*, user, categories: Iterable[str] | None = None) -> dict[str, str]:
    """Run the eraser of each category (all by default) for ``user``.

    Returns ``{code: "deleted" | "anonymised" | "kept"}``; "kept" means a
    legal hold covers the category (each eraser also asks, so a direct
    call cannot get round a hold). The caller records the outcomes on the
    request and tells the person what was kept and why.
    """
    entries = {entry.code: entry for entry in personal_data_categories()}
    codes = list(entries) if categories is None else list(categories)
    unknown = [code for code in codes if code not in entries]
    if unknown:
        raise UnknownCategory(f"unknown personal-data categories: {', '.join(unknown)}")
    codes.sort(key=lambda code: LAST.index(code) + 1 if code in LAST else 0)
    results: dict[str, str] = {}
    for code in codes:
        if is_held(user=user, category=code):
            results[code] = "kept"
        else:
            results[code] = entries[code].eraser(user)
    return results
