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


def safe_next(request, *, default: str = "", param: str = "next") -> str:
    """The ``next`` address of ``request`` if it is a path on this site, else ``default``.

    Only an absolute path ("/privacy/…") is taken: anything else ("abc",
    "-1", a full-width digit, a scheme, "//elsewhere") is either another site
    or something ``redirect()`` would try to look up as a view name and fail
    on. Every page that takes ``next`` goes through here, so no value can
    turn a finished action into an error page or an open redirect.
    """
    candidate = (request.POST.get(param) or request.GET.get(param) or "").strip()
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and candidate.isprintable()
        and " " not in candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
