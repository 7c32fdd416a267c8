"""Paths of named URLs, reversed once per URL configuration instead of on every request.

Middlewares that let a few pages through (sign-out, the verification page, …)
compared the request's path with a dozen ``reverse()`` results on each
signed-in request; reversing is pure given the script prefix and the URL
configuration, so the answer is remembered per pair.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


def url_paths(*names: str) -> tuple[str | None, ...]:
    """``reverse(name)`` of each name, in order; None for a name the URL configuration lacks."""
    return _reversed(names, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=64)
def _reversed(names: tuple[str, ...], prefix: str, urlconf: str) -> tuple[str | None, ...]:
    # ``prefix`` is part of the key only: reverse() reads the current one itself.
    paths: list[str | None] = []
    for name in names:
        try:
            paths.append(reverse(name, urlconf=urlconf))
        except NoReverseMatch:
            paths.append(None)
    return tuple(paths)
