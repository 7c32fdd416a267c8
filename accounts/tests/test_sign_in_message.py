"""Issue #14: the sign-in message names the person, never the internal handle, in the language they read."""

import pytest
from django.conf import settings
from django.core.cache import cache

from accounts.display import user_display
from tests.factories import SANDBOX_PERSON, UserFactory, VerifiedCitizenFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # allauth's rate limits


def sign_in_and_read_the_next_page(client, user, **headers) -> str:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True, **headers)
    assert response.status_code == 200 and client.session.get("_auth_user_id") == str(user.pk)
    return response.content.decode()


def test_an_english_reader_signing_in_from_a_chinese_browser_reads_english(client):
    # The sign-in request is anonymous, so in the browser's language; the next
    # page is in the person's saved one, and the message with it.
    user = UserFactory(username="u273ad690926a084d", email="zhang.san@example.cn", language="en")
    page = sign_in_and_read_the_next_page(client, user, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Successfully signed in as z***@example.cn." in page
    assert "成功登录" not in page
    assert "u273ad690926a084d" not in page


def test_a_chosen_language_wins_over_the_saved_one(client):
    user = UserFactory(username="u273ad690926a084d", email="zhang.san@example.cn", language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = sign_in_and_read_the_next_page(client, user)
    assert "以 z***@example.cn 成功登录" in page
    assert "u273ad690926a084d" not in page


def test_a_verified_person_is_named_by_their_verified_name(client):
    user = VerifiedCitizenFactory(username="u0123456789abcdef")
    page = sign_in_and_read_the_next_page(client, user, HTTP_ACCEPT_LANGUAGE="en")
    assert f"Successfully signed in as {SANDBOX_PERSON[0]}." in page
    assert "u0123456789abcdef" not in page and user.email not in page


def test_an_unverified_name_is_not_used():
    # A typed-in name is no one's confirmed identity: the masked address instead.
    user = UserFactory(first_name="三", last_name="张", email="zhang.san@example.cn")
    assert user_display(user) == "z***@example.cn"
