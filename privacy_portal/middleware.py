"""The deployment's own middlewares: probes answered first, the browser's middlewares skipped by services.

The load balancer's probes are answered before any middleware that reads the
session or the user. A probe that carries a session cookie (a browser, a
monitoring check that signed in) would otherwise make the session and
authentication middlewares ask the database before the view runs, and a
database outage would answer 500 instead of readiness's 503. The probes need
nothing those middlewares provide, so they are answered first.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.urls import resolve
from django.utils.module_loading import import_string

PROBE_PATHS = frozenset({"/healthz", "/readyz"})
# Hooks only Django's handler calls, so a middleware with one cannot run inside BrowserMiddleware.
HOOKS = ("process_view", "process_template_response", "process_exception")


class ProbesFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in PROBE_PATHS:
            return self.get_response(request)
        match = resolve(request.path_info)
        # As Django's handler would: the metrics label the answer with the view's name.
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)


class BrowserMiddleware:
    """The browser's middlewares (``settings.BROWSER_MIDDLEWARE``), which a service's API call skips.

    Sessions, sign-in state, second-factor and cancellation gates, session
    activity, the page's content security policy and the cookie choice are
    about a person in a browser. An API call that carries an ``Authorization``
    header is a service's: DRF authenticates it by that header alone (the
    bearer class refuses any other scheme before session authentication is
    tried), so none of those middlewares can change its answer, and together
    they were a fifth of the consent check's time. Such a call gets an
    anonymous ``request.user`` until DRF authenticates it and a content
    security policy that allows nothing, as a JSON answer needs nothing.

    The browser's middlewares run here in their listed order, as they would in
    ``MIDDLEWARE``. A middleware with view, template-response or exception
    hooks must stay in ``MIDDLEWARE``: only Django's handler calls those.
    """

    API_PREFIX = "/api/"
    SERVICE_CSP = "default-src 'none'; frame-ancestors 'none'"

    def __init__(self, get_response):
        self.get_response = get_response
        self.browser = _chain(settings.BROWSER_MIDDLEWARE, get_response)

    def __call__(self, request):
        if not (request.path_info.startswith(self.API_PREFIX) and "HTTP_AUTHORIZATION" in request.META):
            return self.browser(request)
        request.user = AnonymousUser()
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.SERVICE_CSP)
        return response


def _chain(paths, get_response):
    """``get_response`` wrapped in the middlewares at ``paths``, the first outermost (as Django's handler does)."""
    handler = get_response
    for path in reversed(paths):
        factory = import_string(path)
        try:
            middleware = factory(handler)
        except MiddlewareNotUsed:
            continue
        hooks = [name for name in HOOKS if hasattr(middleware, name)]
        if hooks:
            raise ImproperlyConfigured(
                f"{path} has {', '.join(hooks)}, which only Django's handler calls: list it in MIDDLEWARE."
            )
        handler = convert_exception_to_response(middleware)
    return handler


# What admin's own checks (admin.E408–E410, silenced in settings) look for in MIDDLEWARE, in this order.
ADMIN_NEEDS = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)


def _position(browser: list[str], needed: str) -> int | None:
    """Where ``needed``, or a middleware built on it, stands in ``browser``."""
    wanted = import_string(needed)
    for position, path in enumerate(browser):
        try:
            found = import_string(path)
        except ImportError:
            continue
        if isinstance(found, type) and issubclass(found, wanted):
            return position
    return None


def browser_middleware_check(app_configs=None, **kwargs):
    """Admin's middlewares are among the browser's, under the browser middleware, in their order."""
    errors = []
    if "privacy_portal.middleware.BrowserMiddleware" not in settings.MIDDLEWARE:
        return [
            checks.Error(
                "privacy_portal.middleware.BrowserMiddleware must be in MIDDLEWARE: it runs BROWSER_MIDDLEWARE.",
                id="privacy_portal.E120",
            )
        ]
    browser = list(getattr(settings, "BROWSER_MIDDLEWARE", []))
    positions = [_position(browser, needed) for needed in ADMIN_NEEDS]
    missing = [needed for needed, position in zip(ADMIN_NEEDS, positions, strict=True) if position is None]
    if missing:
        errors.append(
            checks.Error(
                f"BROWSER_MIDDLEWARE must include {', '.join(missing)} (admin needs it).", id="privacy_portal.E121"
            )
        )
    elif positions != sorted(positions):
        errors.append(
            checks.Error(
                f"BROWSER_MIDDLEWARE must list {', '.join(ADMIN_NEEDS)} in this order.", id="privacy_portal.E122"
            )
        )
    return errors
