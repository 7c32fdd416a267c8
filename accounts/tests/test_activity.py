"""Activity records (clause 3.1): sign-in history and signed-in devices, on pages and over the API."""

import pytest
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from accounts.activity import services
from accounts.activity.network import truncate_ip
from accounts.activity.selectors import login_method_label
from accounts.models import LoginActivity
from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
PHONE_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def signed_in_client(user, *, ip="203.0.113.7", agent=BROWSER) -> Client:
    """A browser that signed in through the real sign-in page."""
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("198.51.100.255", "198.51.100.0/24"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
        ("", ""),
        ("not-an-address", ""),
        (None, ""),
    ],
)
def test_addresses_are_cut_to_their_network(address, network):
    assert truncate_ip(address) == network


def test_a_sign_in_is_recorded_with_network_device_and_method():
    user = UserFactory()
    signed_in_client(user, ip="203.0.113.7")
    record = LoginActivity.objects.get(user=user)
    assert record.ip_prefix == "203.0.113.0/24"
    assert record.user_agent == BROWSER
    assert record.method == "email_password"


def test_a_failed_sign_in_leaves_no_record():
    user = UserFactory()
    Client().post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
    assert not LoginActivity.objects.exists()


@pytest.mark.parametrize(
    ("records", "method"),
    [
        ([], "signup"),
        ([{"method": "password", "email": "a@example.cn"}], "email_password"),
        ([{"method": "password"}], "phone_password"),
        ([{"method": "socialaccount", "provider": "weixin"}], "social:weixin"),
        ([{"method": "password"}, {"method": "code"}], "code"),
        ([{"method": "mystery"}], "other"),
    ],
)
def test_the_sign_in_method_comes_from_allauths_records(records, method):
    assert services.login_method_from(records=records) == method


def test_a_sign_in_through_a_linked_account_is_recorded_as_such(rf):
    from types import SimpleNamespace

    from allauth.account.signals import user_logged_in
    from django.contrib.sessions.backends.db import SessionStore

    user = UserFactory()
    request = rf.get("/", REMOTE_ADDR="2001:db8:abcd:12::1", HTTP_USER_AGENT=PHONE_BROWSER)
    request.session = SessionStore()
    request.user = user
    sociallogin = SimpleNamespace(account=SimpleNamespace(provider="weixin"))
    user_logged_in.send(sender=type(user), request=request, response=None, user=user, sociallogin=sociallogin)
    record = LoginActivity.objects.get(user=user)
    assert (record.method, record.ip_prefix, record.user_agent) == (
        "social:weixin",
        "2001:db8:abcd::/48",
        PHONE_BROWSER,
    )


def test_method_labels_are_readable():
    with translation.override("en"):
        assert login_method_label("social:weixin") == "Linked account (weixin)"
        assert login_method_label("email_password") == "Email address and password"
        assert login_method_label("nonsense") == "Other"


# -- Sign-in history page --------------------------------------------------------------


def test_sign_in_history_needs_sign_in():
    response = Client().get("/account/activity/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_sign_in_history_shows_only_ones_own_records_a_page_at_a_time(django_assert_max_num_queries):
    user, other = UserFactory(language="en"), UserFactory()
    for _ in range(24):
        services.login_activity_record(user=user, ip="203.0.113.7", user_agent=BROWSER, method="email_password")
    services.login_activity_record(user=other, ip="198.51.100.1", user_agent=PHONE_BROWSER, method="phone_password")
    client = signed_in_client(user, ip="192.0.2.44")

    with django_assert_max_num_queries(15):
        page = client.get("/account/activity/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<tr>") == 1 + 20
    assert "192.0.2.0/24" in html and "203.0.113.0/24" in html
    assert "192.0.2.44" not in html
    assert "198.51.100" not in html and "MicroMessenger" not in html
    assert "Page 1 of 2" in html
    second = client.get("/account/activity/?page=2").content.decode()
    assert second.count("<tr>") == 1 + 5
    assert page["Cache-Control"].count("no-store") == 1


# -- Signed-in devices page ------------------------------------------------------------


def test_devices_page_needs_sign_in():
    assert Client().get("/account/activity/sessions/").status_code == 302
    assert Client().post("/account/activity/sessions/1/end/").status_code == 302


def test_devices_page_lists_sessions_with_networks_only(django_assert_max_num_queries):
    user = UserFactory(language="en")
    laptop = signed_in_client(user, ip="203.0.113.7", agent=BROWSER)
    signed_in_client(user, ip="198.51.100.23", agent=PHONE_BROWSER)
    with django_assert_max_num_queries(25):
        page = laptop.get("/account/activity/sessions/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert html.count("<tr") == 1 + 2
    assert "203.0.113.0/24" in html and "198.51.100.0/24" in html
    assert "203.0.113.7" not in html and "198.51.100.23" not in html
    assert html.count("(this device)") == 1
    assert "Sign out this session" in html and "Sign out all other devices" in html


def test_signing_out_another_session_from_the_devices_page():
    user = UserFactory()
    laptop = signed_in_client(user)
    phone = signed_in_client(user, agent=PHONE_BROWSER)
    phone_session = UserSession.objects.get(user=user, session_key=phone.session.session_key)

    response = laptop.post(f"/account/activity/sessions/{phone_session.pk}/end/")
    assert response.status_code == 302 and response["Location"] == "/account/activity/sessions/"

    assert phone.get("/account/activity/").status_code == 302
    assert laptop.get("/account/activity/").status_code == 200
    assert list(UserSession.objects.filter(user=user)) == [
        UserSession.objects.get(session_key=laptop.session.session_key)
    ]
    event = AuditEvent.objects.get(action="account.sessions_ended")
    assert event.details == {"session_ids": [phone_session.pk], "reason": "signed_out_by_person"}


def test_signing_out_here_ends_this_session():
    user = UserFactory()
    laptop = signed_in_client(user)
    own = UserSession.objects.get(user=user)
    response = laptop.post(f"/account/activity/sessions/{own.pk}/end/")
    assert response["Location"] == "/accounts/login/"
    assert laptop.get("/account/activity/").status_code == 302
    assert not UserSession.objects.filter(user=user).exists()


def test_signing_out_all_other_devices():
    user = UserFactory()
    laptop, phone, tablet = signed_in_client(user), signed_in_client(user), signed_in_client(user)
    laptop.post("/account/activity/sessions/end-others/")
    assert laptop.get("/account/activity/").status_code == 200
    assert phone.get("/account/activity/").status_code == 302
    assert tablet.get("/account/activity/").status_code == 302


def test_another_persons_session_is_not_found():
    owner, intruder = UserFactory(), UserFactory()
    owners_browser = signed_in_client(owner)
    session = UserSession.objects.get(user=owner)
    response = signed_in_client(intruder).post(f"/account/activity/sessions/{session.pk}/end/")
    assert response.status_code == 404
    assert owners_browser.get("/account/activity/").status_code == 200


def test_ending_a_session_needs_post():
    user = UserFactory()
    client = signed_in_client(user)
    session = UserSession.objects.get(user=user)
    assert client.get(f"/account/activity/sessions/{session.pk}/end/").status_code == 405
    assert UserSession.objects.filter(pk=session.pk).exists()


def test_allauths_own_sessions_page_renders_and_points_to_ours():
    user = UserFactory(language="en")
    client = signed_in_client(user)
    page = client.get("/accounts/sessions/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'href="/account/activity/sessions/"' in page.content.decode()


# -- API -------------------------------------------------------------------------------


def test_the_api_lists_ones_sessions():
    user = UserFactory()
    laptop = signed_in_client(user, ip="203.0.113.7")
    signed_in_client(user, ip="2001:db8:1:2::9", agent=PHONE_BROWSER)
    signed_in_client(UserFactory(), ip="198.51.100.1")

    response = laptop.get("/api/v1/me/sessions/")
    assert response.status_code == 200
    sessions = response.json()
    assert [s["ip"] for s in sessions] == ["203.0.113.0/24", "2001:db8:1::/48"]
    assert [s["current"] for s in sessions] == [True, False]
    assert set(sessions[0]) == {"id", "created_at", "last_seen_at", "ip", "user_agent", "current"}
    assert sessions[1]["user_agent"] == PHONE_BROWSER


def test_the_api_ends_one_session():
    user = UserFactory()
    laptop, phone = signed_in_client(user), signed_in_client(user)
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)
    response = laptop.delete(f"/api/v1/me/sessions/{phone_session.pk}/")
    assert response.status_code == 204
    assert phone.get("/api/v1/me/sessions/").status_code in (401, 403)
    assert len(laptop.get("/api/v1/me/sessions/").json()) == 1


def test_the_api_does_not_reach_another_persons_session():
    owner = UserFactory()
    owners_browser = signed_in_client(owner)
    session = UserSession.objects.get(user=owner)
    intruder = signed_in_client(UserFactory())
    assert intruder.delete(f"/api/v1/me/sessions/{session.pk}/").status_code == 404
    assert intruder.delete("/api/v1/me/sessions/999999/").status_code == 404
    assert owners_browser.get("/api/v1/me/sessions/").status_code == 200


def test_the_api_lists_ones_sign_ins_a_page_at_a_time():
    user, other = UserFactory(language="en"), UserFactory()
    for _ in range(3):
        services.login_activity_record(user=user, ip="203.0.113.7", user_agent=BROWSER, method="phone_password")
    services.login_activity_record(user=other, ip="198.51.100.1", user_agent=BROWSER, method="email_password")
    client = signed_in_client(user)
    body = client.get("/api/v1/me/activity/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 4  # three made above and this sign-in
    newest = body["results"][0]
    assert set(newest) == {"id", "created_at", "ip", "user_agent", "method", "method_label"}
    assert newest["method"] == "email_password"
    assert {row["ip"] for row in body["results"]} == {"203.0.113.0/24"}
    assert body["results"][1]["method_label"] == "Mobile number and password"


@pytest.mark.parametrize("path", ["/api/v1/me/sessions/", "/api/v1/me/activity/", "/api/v1/me/sessions/1/"])
def test_the_api_needs_sign_in(path):
    client = Client()
    response = client.delete(path) if path.endswith("1/") else client.get(path)
    assert response.status_code in (401, 403)


def test_the_endpoints_are_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {"get"} <= set(schema["paths"]["/api/v1/me/sessions/"])
    assert {"delete"} <= set(schema["paths"]["/api/v1/me/sessions/{session_id}/"])
    assert {"get"} <= set(schema["paths"]["/api/v1/me/activity/"])
