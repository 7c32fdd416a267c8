"""What else a withdrawal does at once, per purpose, inside the withdrawal's own transaction.

Some data exists only because of one consent and must go the moment that
consent does, not when a retention rule next runs: location history is the
first (issue #6: "at once when the person withdraws location consent"). The
feature that owns the data registers a function for its purpose code, and
``consent_withdraw`` runs it in the transaction that writes the ledger event,
so the withdrawal and its consequence commit together or not at all, whatever
the entry point (dashboard, API, the feature's own switch, a guardian, a
rights request, staff).

A small explicit registry rather than a Django signal: the business rule
stays visible where it is registered, runs in a known order, and an error
in it rolls the withdrawal back instead of being swallowed by a receiver.

Registrations live in the modules of ``HOOK_MODULES``, imported on first use:
those modules import ``consents.services``, so it cannot import them at load.
"""

from collections.abc import Callable
from importlib import import_module

# Modules whose import registers hooks (each calls ``on_withdrawal``).
HOOK_MODULES = ("consents.location.services",)

WithdrawalHook = Callable[..., object]

_HOOKS: dict[str, list[WithdrawalHook]] = {}


def on_withdrawal(purpose_code: str) -> Callable[[WithdrawalHook], WithdrawalHook]:
    """Register ``hook(*, subject, actor)`` to run whenever ``subject`` withdraws consent to the purpose.

    Registering the same function twice (a module imported again) keeps one entry.
    """

    def register(hook: WithdrawalHook) -> WithdrawalHook:
        hooks = _HOOKS.setdefault(purpose_code, [])
        if hook not in hooks:
            hooks.append(hook)
        return hook

    return register


def withdrawal_hooks_for(purpose_code: str) -> tuple[WithdrawalHook, ...]:
    for name in HOOK_MODULES:
        # After the first call a lookup in sys.modules: cheap enough for every withdrawal.
        import_module(name)
    return tuple(_HOOKS.get(purpose_code, ()))


def withdrawal_hooks_run(*, subject, purpose_code: str, actor) -> None:
    """Run the purpose's hooks; callers are inside the withdrawal's ``transaction.atomic()``."""
    for hook in withdrawal_hooks_for(purpose_code):
        hook(subject=subject, actor=actor)
