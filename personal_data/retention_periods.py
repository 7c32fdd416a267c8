"""How long a kind of record is kept, for apps below the retention app that must tell people.

Retention periods are rules in the retention app's database, and privacy
officers change them; accounts (the delivery pages say when an address is
blanked) may not import retention. So retention installs the answer here
when it starts (``RetentionConfig.ready()``), and the others ask
``retention_period_days()``. Without retention installed the answer is
None, which callers already read as "no rule says".
"""

from collections.abc import Callable

_period_days: Callable[[str], int | None] | None = None


def retention_period_days_source_set(source: Callable[[str], int | None] | None) -> None:
    """Install the function answering ``retention_period_days`` (None removes it)."""
    global _period_days
    _period_days = source


def retention_period_days(*, rule: str) -> int | None:
    """The days the active retention rule ``rule`` keeps its rows, or None when no such rule is active."""
    if _period_days is None:
        return None
    return _period_days(rule)


_texts_by_category: Callable[[], dict[str, list[str]]] | None = None


def retention_texts_source_set(source: Callable[[], dict[str, list[str]]] | None) -> None:
    """Install the function answering ``retention_texts_by_category`` (None removes it)."""
    global _texts_by_category
    _texts_by_category = source


def retention_texts_by_category() -> dict[str, list[str]]:
    """Per category code, how long its records are kept, one sentence per active rule, in the active language.

    Empty without the retention app: the export then says what happens without a rule.
    """
    if _texts_by_category is None:
        return {}
    return _texts_by_category()
