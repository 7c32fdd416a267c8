"""Named conditions a retention rule may add to its filter, for what a plain lookup cannot say.

A rule's ``condition`` names one (``RetentionRule.condition``); the sweep
asks for it here and filters the expired rows with the ``Q`` it returns. The
app that knows the answer registers it, in its ``personal_data.py``
(discovered with the categories) or beside its own rules: the retention
app may then expire one app's rows on a fact kept by another (a step-up
check stays while a rights request relies on it) without importing it.
"""

from collections.abc import Callable

from django.db.models import Q

from core.registry import Registry

RetentionCondition = Callable[[], Q]

conditions: Registry[RetentionCondition] = Registry(name="retention conditions", module="personal_data")


def register_retention_condition(name: str, condition: RetentionCondition) -> RetentionCondition:
    """Make ``condition`` (no arguments, returns the ``Q`` a row must match to expire) available as ``name``."""
    return conditions.register(name, condition)


def retention_condition(name: str) -> RetentionCondition:
    """The condition registered as ``name``; ``LookupError`` when there is none."""
    return conditions.get(name)


def retention_condition_names() -> list[str]:
    return conditions.keys()
