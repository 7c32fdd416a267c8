"""What else a withdrawal does at once, per purpose, inside the withdrawal's own transaction.

Some data exists only because of one consent and must go the moment that
consent does, not when a retention rule next runs: location history is the
first (issue #6: "at once when the person withdraws location consent"). The
feature that owns the data registers a function for its purpose code in its
app's ``consent_withdrawal.py``, and ``consent_withdraw`` runs it in the
transaction that writes the ledger event, so the withdrawal and its
consequence commit together or not at all, whatever the entry point
(dashboard, API, the feature's own switch, a guardian, a rights request,
staff).

A registry rather than a Django signal: the business rule stays visible
where it is registered, runs in a known order, and an error in it rolls the
withdrawal back instead of being swallowed by a receiver.
``ConsentsConfig.ready()`` discovers every app's ``consent_withdrawal.py``
(``core.registry``), so a process that never loaded a feature's pages, such
as a Celery worker completing a withdrawal request, still runs its hooks.
"""

from collections.abc import Callable

from core.registry import Registry

WithdrawalHook = Callable[..., object]

WITHDRAWAL_HOOKS: Registry[WithdrawalHook] = Registry(
    name="consent withdrawal hooks", module="consent_withdrawal", many=True
)


def on_withdrawal(purpose_code: str) -> Callable[[WithdrawalHook], WithdrawalHook]:
    """Register ``hook(*, subject, actor)`` to run whenever ``subject`` withdraws consent to the purpose.

    Registering the same function twice (a module imported again) keeps one entry.
    """
    return WITHDRAWAL_HOOKS.registers(purpose_code)


def withdrawal_hooks_for(purpose_code: str) -> tuple[WithdrawalHook, ...]:
    return WITHDRAWAL_HOOKS.get_all(purpose_code)


def withdrawal_hooks_run(*, subject, purpose_code: str, actor) -> None:
    """Run the purpose's hooks; callers are inside the withdrawal's ``transaction.atomic()``."""
    for hook in withdrawal_hooks_for(purpose_code):
        hook(subject=subject, actor=actor)
