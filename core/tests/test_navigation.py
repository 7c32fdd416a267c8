"""``next`` values that are not a path on this site send the person to the page's default, never to an error."""

import pytest
from django.test import RequestFactory

from core.navigation import safe_next

NOT_A_PATH = [
    "abc",
    "-1",
    "x y",
    "１２３",
    "<x>",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "javascript:alert(1)",
    "/privacy/\x00",
    "/privacy/ x",
    "",
]


@pytest.mark.parametrize("value", NOT_A_PATH)
def test_anything_but_a_local_path_gives_the_default(value):
    request = RequestFactory().post("/privacy/cookies/choose/", {"next": value})
    assert safe_next(request, default="/privacy/cookies/") == "/privacy/cookies/"


@pytest.mark.parametrize("value", ["/privacy/", "/privacy/location/?page=2", "/policy/2026.1/#changes"])
def test_a_local_path_is_kept(value):
    assert safe_next(RequestFactory().get("/x/", {"next": value}), default="/") == value
