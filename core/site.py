"""The portal's own address, for links in emails and messages.

Notifications render in workers, with no request to build a URL from, so
links start from the ``Site`` record and the protocol allauth is told to use.
"""

from django.conf import settings


def site_url(path: str = "") -> str:
    """``https://<site domain>`` followed by ``path`` (which should start with a slash)."""
    from django.contrib.sites.models import Site

    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return f"{protocol}://{Site.objects.get_current().domain}{path}"
