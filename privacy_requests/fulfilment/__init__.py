"""What completing a request does, per kind.

Each kind's handler lives in its own module; which handler serves which kind
is registered in ``FULFILMENT_HANDLERS`` from an app's
``fulfilment_handlers.py`` (this app's own: ``privacy_requests/fulfilment_handlers.py``),
discovered by ``PrivacyRequestsConfig.ready()`` (see ``core.registry``).
``privacy_requests.services`` calls ``fulfil`` when staff (or the system,
for automatic kinds) complete a request, inside the same transaction.
"""

from collections.abc import Callable

from core.registry import Registry

FulfilmentHandler = Callable[..., None]

# One handler a kind: two would leave it unclear which one completes the request.
FULFILMENT_HANDLERS: Registry[FulfilmentHandler] = Registry(
    name="fulfilment handlers", module="fulfilment_handlers", many=False
)


def fulfil(*, request, actor) -> None:
    """Run the handler for ``request.kind``; kinds without one need no action beyond the answer."""
    if request.kind in FULFILMENT_HANDLERS:
        FULFILMENT_HANDLERS.get(request.kind)(request=request, actor=actor)
