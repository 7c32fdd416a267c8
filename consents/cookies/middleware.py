from django.utils.cache import patch_vary_headers


class CookieChoiceVaryMiddleware:
    """Tell caches that a page showing the cookie banner depends on the privacy signal and cookies.

    The banner, and whether the analytics script is included, follow the
    ``Sec-GPC`` header and the choice cookie; a shared cache must never hand
    a page with the script to a browser that refused it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_cookie_choice", None) is not None:
            patch_vary_headers(response, ("Sec-GPC", "Cookie"))
        return response
