"""Cross-cutting request handling: request ids and cache headers."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from .logging import bind_request_id
from .request_reference import request_reference_new


class RequestIdMiddleware:
    """Give every request a short reference that logs, error pages and the client share.

    The portal always makes its own (``core.request_reference``): a citizen
    reads it to the hotline, so it must be short, and an id chosen by a
    client must not be able to pose as another request's. The front proxy
    logs the reference it gets back in ``X-Request-ID`` beside its own id
    (deploy/nginx), which keeps the two findable from each other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_reference_new()
        with bind_request_id(request.request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class NoStoreForPersonalPagesMiddleware:
    """Keep pages shown to a signed-in person out of every cache.

    A shared computer's browser cache or a proxy must never hold a page with
    someone's personal data. Views that stream personal downloads set
    ``response.personal_data = True`` to get the same treatment even when
    the download is fetched without a session (e.g. with an API token).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or getattr(response, "personal_data", False):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class AccountLanguageMiddleware:
    """Use the signed-in person's saved language when the browser has no choice cookie.

    On a new device a citizen who chose English should not land in Chinese
    just because the browser's Accept-Language says so.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = saved_language(request=request, user=getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def saved_language(*, request, user) -> str | None:
    """The signed-in person's saved language, when their pages use it (no choice cookie); else None.

    Also what a message written during sign-in is rendered in: the page that
    shows it is the next one, already in this language.
    """
    if (
        user is not None
        and user.is_authenticated
        and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        and user.language in dict(settings.LANGUAGES)
    ):
        return user.language
    return None
