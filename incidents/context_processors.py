"""The security-incident banner, on every portal page until the date the privacy officer set."""

from django.utils.functional import SimpleLazyObject

from .selectors import incident_banner_current


def _banner(request):
    # Cached on the request: one query however often a page asks, none if no template does.
    if not hasattr(request, "_incident_banner"):
        request._incident_banner = incident_banner_current()
    return request._incident_banner


def incident_banner(request):
    """``incident_banner``: the incident whose banner shows now, or None."""
    return {"incident_banner": SimpleLazyObject(lambda: _banner(request))}
