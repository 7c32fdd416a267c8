"""The portal's own address, for every absolute link it writes.

Notifications render in workers, with no request to build a URL from, and a
request's Host header is the client's to choose: a reset link built from it
could point anywhere. So every absolute link starts from ``SITE_URL``, one
setting per deployment, and never from the ``Site`` record (whose
``example.com`` nobody sets).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def site_root() -> str:
    """``SITE_URL`` without a trailing slash, e.g. ``https://privacy.gov.example.cn``."""
    root = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if not root:
        # The deploy check (privacy_portal.E112) stops a server without it; this
        # keeps a forgotten setting from ever producing a link to nowhere.
        raise ImproperlyConfigured("SITE_URL is not set: the portal cannot write links to itself.")
    return root


def site_url(path: str = "") -> str:
    """``SITE_URL`` followed by ``path`` (which should start with a slash)."""
    return f"{site_root()}{path}"


def site_domain() -> str:
    """The host (and port, if any) of ``SITE_URL``."""
    return urlsplit(site_root()).netloc


def rebase_on_site(url: str) -> str:
    """The same path, query and fragment on the portal's own address.

    For links a library built from the request (allauth's), so they say
    ``SITE_URL`` whatever Host the request came with.
    """
    parts = urlsplit(url)
    rest = parts.path or "/"
    if parts.query:
        rest += f"?{parts.query}"
    if parts.fragment:
        rest += f"#{parts.fragment}"
    return site_url(rest)


def is_site_link(url: str) -> bool:
    """Whether ``url`` is an http(s) URL on the portal's own origin (scheme, host and port)."""
    root = urlsplit(site_root())
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and (parts.scheme, parts.netloc) == (root.scheme, root.netloc)
