"""The load balancer's probes, answered before any middleware that reads the session or the user.

A probe that carries a session cookie (a browser, a monitoring check that
signed in) would otherwise make the session and authentication middlewares
ask the database before the view runs, and a database outage would answer
500 instead of readiness's 503. The probes need nothing those middlewares
provide, so they are answered first.
"""

from django.urls import resolve

PROBE_PATHS = frozenset({"/healthz", "/readyz"})


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
