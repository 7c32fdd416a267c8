"""What completing a request does, per kind.

Each kind's handler lives in its own module and registers itself here;
``privacy_requests.services`` calls ``fulfil`` when staff (or the system,
for automatic kinds) complete a request, inside the same transaction.
"""

from collections.abc import Callable

_HANDLERS: dict[str, Callable] = {}


def register(kind: str):
    def decorator(handler: Callable) -> Callable:
        _HANDLERS[kind] = handler
        return handler

    return decorator


def fulfil(*, request, actor) -> None:
    """Run the handler for ``request.kind``; kinds without one need no action beyond the answer."""
    from . import handlers  # noqa: F401 - registers the handlers on first use

    handler = _HANDLERS.get(request.kind)
    if handler is not None:
        handler(request=request, actor=actor)
