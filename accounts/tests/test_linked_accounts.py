"""Linked accounts (clause 7.1): listed, unlinked, never the last way to sign in; WeChat only with credentials."""

import importlib

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache
from django.test import Client

from notifications.models import OutboxEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WECHAT_APPS = {"weixin": {"SCOPE": ["snsapi_login"], "APPS": [{"client_id": "wx-test-id", "secret": "s", "key": ""}]}}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def link_wechat(user, openid="o-wechat-1", nickname="小王") -> SocialAccount:
    return SocialAccount.objects.create(user=user, provider="weixin", uid=openid, extra_data={"nickname": nickname})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_linked_accounts_page_needs_sign_in():
    response = Client().get("/accounts/3rdparty/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_linked_accounts_are_listed_with_an_unlink_button():
    user = UserFactory(language="en")
    account = link_wechat(user)
    link_wechat(UserFactory(), openid="o-someone-else", nickname="别人")
    page = signed_in(user).get("/accounts/3rdparty/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "WeChat" in html and "小王" in html
    assert f'name="account" value="{account.pk}"' in html
    assert "别人" not in html


def test_unlinking_an_account(settings):
    settings.SOCIALACCOUNT_PROVIDERS = WECHAT_APPS
    user = UserFactory()
    account = link_wechat(user)
    response = signed_in(user).post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.filter(pk=account.pk).exists()
    # The person is told by email, through the outbox.
    assert OutboxEmail.objects.filter(recipient=user, kind="account").exists()


def test_unlinking_works_after_wechat_was_switched_off():
    user = UserFactory()
    account = link_wechat(user)
    client = signed_in(user)
    assert client.get("/accounts/3rdparty/").status_code == 200
    assert client.post("/accounts/3rdparty/", {"account": account.pk}).status_code == 302
    assert not SocialAccount.objects.filter(pk=account.pk).exists()


def test_unlinking_the_last_way_to_sign_in_is_refused():
    user = UserFactory(language="en")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    account = link_wechat(user)
    response = signed_in(user).post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="unlink-error"' in html
    assert "Your account has no password set up." in html
    assert "Set a password" in html
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_another_persons_linked_account_cannot_be_unlinked():
    owner, intruder = UserFactory(), UserFactory()
    account = link_wechat(owner)
    response = signed_in(intruder).post("/accounts/3rdparty/", {"account": account.pk})
    assert response.status_code == 200
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_without_credentials_there_is_no_wechat_button():
    for path in ["/accounts/login/", "/accounts/signup/"]:
        page = Client().get(path)
        assert page.status_code == 200
        assert "/accounts/weixin/login/" not in page.content.decode()
    user = UserFactory(language="en")
    html = signed_in(user).get("/accounts/3rdparty/").content.decode()
    assert "/accounts/weixin/login/" not in html
    assert "No other services can be linked at the moment." in html


def test_with_credentials_wechat_is_offered(settings):
    settings.SOCIALACCOUNT_PROVIDERS = WECHAT_APPS
    assert "/accounts/weixin/login/" in Client().get("/accounts/login/").content.decode()
    html = signed_in(UserFactory()).get("/accounts/3rdparty/").content.decode()
    assert "/accounts/weixin/login/?process=connect" in html


@pytest.mark.parametrize(
    ("app_id", "secret", "enabled"),
    [("", "", False), ("wx-id", "", False), ("", "secret", False), ("wx-id", "secret", True)],
)
def test_the_settings_switch_wechat_on_only_with_both_credentials(monkeypatch, app_id, secret, enabled):
    from privacy_portal.settings import allauth as allauth_settings

    for name, value in (("WECHAT_APP_ID", app_id), ("WECHAT_APP_SECRET", secret)):
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    try:
        module = importlib.reload(allauth_settings)
        assert ("APPS" in module.SOCIALACCOUNT_PROVIDERS["weixin"]) is enabled
        if enabled:
            assert module.SOCIALACCOUNT_PROVIDERS["weixin"]["APPS"][0]["client_id"] == app_id
    finally:
        monkeypatch.undo()
        importlib.reload(allauth_settings)
