"""Where to send a person back to after a detour (a code step, a policy to accept)."""

from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme


def return_path(request, *, fallback: str = "") -> str:
    """This page for a GET, the page the form was on for a POST, else ``fallback``.

    A POST cannot be replayed by a redirect, so the way back is the page
    that showed the form, taken from ``Referer`` only when it is this site.
    """
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return fallback
