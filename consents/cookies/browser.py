"""The first-party cookies this package sets in the browser.

Both are HttpOnly (no script reads them), SameSite=Lax, and Secure wherever
the session cookie is (production).
"""

from django.conf import settings

from .selectors import ACCEPT, ANALYTICS_COOKIE, CHOICE_COOKIE

CHOICE_MAX_AGE = 180 * 24 * 60 * 60
ANALYTICS_MAX_AGE = 180 * 24 * 60 * 60


def _set(response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def browser_choice_set(response, *, choice: str) -> None:
    """Remember the choice in this browser; a refusal also removes the optional cookie."""
    _set(response, CHOICE_COOKIE, choice, CHOICE_MAX_AGE)
    if choice != ACCEPT:
        browser_analytics_forget(response)


def browser_analytics_set(response) -> None:
    # "1" only: the cookie says the browser was counted before, not who it is.
    _set(response, ANALYTICS_COOKIE, "1", ANALYTICS_MAX_AGE)


def browser_analytics_forget(response) -> None:
    response.delete_cookie(ANALYTICS_COOKIE, samesite="Lax")
