from django.conf import settings


def portal(request):
    """Facts every page shows: the hotline, the footer's filing numbers and the request id for support."""
    return {
        "portal_hotline": settings.PORTAL_HOTLINE,
        "portal_sponsor": settings.PORTAL_SPONSOR_DEPARTMENT,
        "portal_icp_filing": settings.PORTAL_ICP_FILING,
        "portal_psb_filing": settings.PORTAL_PSB_FILING,
        "request_id": getattr(request, "request_id", ""),
    }
