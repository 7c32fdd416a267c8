from django.conf import settings


def portal(request):
    """Facts every page shows: the hotline and the request id for support."""
    return {
        "portal_hotline": settings.PORTAL_HOTLINE,
        "request_id": getattr(request, "request_id", ""),
    }
