"""Two-factor sign-in: enrolment, codes, recovery codes, turning off, the sign-in step, the API."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StepUpCheck
from accounts.two_factor import selectors, services
from accounts.two_factor.services import CodeRefused, Purpose
from audit.models import AuditEvent
from tests.codes import emailed_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
OVERVIEW = "/account/two-factor/"
SETUP = "/account/two-factor/authenticator/"
VERIFY = "/account/two-factor/verify/"
DISABLE = "/account/two-factor/turn-off/"
RECOVERY = "/account/two-factor/recovery-codes/"
EMAIL_SETUP = "/account/two-factor/email/"


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` time steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol_totp(user) -> tuple[TOTPDevice, list[str]]:
    device = services.totp_device_start(user=user)
    return services.totp_device_confirm(user=user, token=totp_code(device))


def forget_failures(user):
    """Clear django-otp's back-off after a deliberate wrong code (it locks the device for a second)."""
    for model in (TOTPDevice, StaticDevice, EmailDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def password_login(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_urls_are_named_in_the_accounts_namespace():
    assert reverse("accounts:two_factor_overview") == OVERVIEW
    assert reverse("accounts:two_factor_totp_setup") == SETUP
    assert reverse("accounts:two_factor_verify") == VERIFY
    assert reverse("accounts:two_factor_disable") == DISABLE
    assert reverse("accounts:two_factor_recovery_codes") == RECOVERY
    assert reverse("accounts:two_factor_email_setup") == EMAIL_SETUP
    assert reverse("accounts:two_factor_step_up") == "/account/two-factor/step-up/"
    assert reverse("api-me-two-factor") == "/api/v1/me/two-factor/"


@pytest.mark.parametrize("path", [OVERVIEW, SETUP, VERIFY, DISABLE, RECOVERY, EMAIL_SETUP])
def test_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_setup_page_shows_qr_code_as_svg_and_the_secret_in_text(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<script>" not in html
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed, "a device counts only once a first code confirms it"
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret.replace(" ", "") in device.config_url
    # Reloading the page keeps the same secret, so a half-done scan still works.
    assert client.get(SETUP).content.decode().count(secret) == 1
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_unconfirmed_authenticator_does_not_turn_two_factor_on(client):
    user = UserFactory()
    services.totp_device_start(user=user)
    assert not selectors.two_factor_enabled(user=user)
    client.force_login(user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(("language", "wrong_code"), [("en", "The code is wrong."), ("zh-hans", "验证码错误。")])
def test_enrolment_confirms_with_a_real_code_and_shows_ten_recovery_codes(client, language, wrong_code):
    # Signed in without a language cookie, the pages follow the account's language.
    user = UserFactory(language=language)
    client.force_login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)

    wrong = client.post(SETUP, {"totp-code": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert wrong_code in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed

    forget_failures(user)
    response = client.post(SETUP, {"totp-code": totp_code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert selectors.two_factor_status(user=user).recovery_codes_remaining == 10
    # The session that set it up counts as verified: no second code asked.
    assert client.get(OVERVIEW).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor.enabled", actor_id=user.pk).exists()


def test_a_totp_code_works_only_once():
    user = UserFactory()
    device, _codes = enrol_totp(user)
    # The enrolment spent the current code; the next time step's code works once.
    code = totp_code(device, steps_ahead=1)
    assert services.second_factor_check(user=user, method="totp", token=code, purpose=Purpose.LOGIN)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    with translation.override("en"), pytest.raises(CodeRefused, match="already been used"):
        services.second_factor_check(user=user, method="totp", token=code, purpose=Purpose.LOGIN)


def test_the_enrolment_code_cannot_be_replayed_at_sign_in():
    user = UserFactory()
    device = services.totp_device_start(user=user)
    code = totp_code(device)
    services.totp_device_confirm(user=user, token=code)
    with pytest.raises(CodeRefused):
        services.second_factor_check(user=user, method="totp", token=code, purpose=Purpose.LOGIN)


@pytest.mark.parametrize(("language", "too_many"), [("en", "Too many wrong codes"), ("zh-hans", "验证码错误次数过多")])
def test_wrong_codes_are_throttled_with_a_translated_message(client, language, too_many):
    user = UserFactory(language=language)
    device, _codes = enrol_totp(user)
    # Services speak the active language; in a request that is the person's (see the page below).
    with translation.override(language):
        with pytest.raises(CodeRefused):
            services.second_factor_check(user=user, method="totp", token="000001", purpose=Purpose.LOGIN)
        # Straight after a failure even the right code is refused: django-otp's back-off.
        with pytest.raises(CodeRefused, match=too_many):
            services.second_factor_check(
                user=user, method="totp", token=totp_code(device, steps_ahead=1), purpose=Purpose.LOGIN
            )
    device.refresh_from_db()
    assert device.throttling_failure_count == 1, "the failure count is saved though the code was refused"

    # No language cookie and no Accept-Language: the page follows the account's own language.
    client.force_login(user)
    # The back-off lasts one second after one failure; on a busy machine that can pass before
    # the page is posted, so the failure is dated now.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now())
    response = client.post(VERIFY, {"method": "totp", "totp-code": "123456"})
    assert response.status_code == 400
    assert too_many in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_recovery_codes_work_once_each():
    user = UserFactory()
    _device, codes = enrol_totp(user)
    assert services.second_factor_check(user=user, method="recovery", token=codes[0].upper(), purpose=Purpose.LOGIN)
    assert selectors.recovery_codes_remaining(user=user) == 9
    with translation.override("en"), pytest.raises(CodeRefused, match="already been used"):
        services.second_factor_check(user=user, method="recovery", token=codes[0], purpose=Purpose.LOGIN)


def test_regenerating_recovery_codes_replaces_them_after_a_step_up(client):
    user = UserFactory()
    device, old_codes = enrol_totp(user)
    client.force_login(user)
    client.post(VERIFY, {"method": "totp", "totp-code": totp_code(device, steps_ahead=1)})

    # The sign-in step just passed counts as a recent check in this session.
    response = client.post(RECOVERY)
    assert response.status_code == 200
    new_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new_codes) == 10
    assert set(new_codes).isdisjoint(old_codes)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new_codes)
    assert AuditEvent.objects.filter(action="two_factor.recovery_codes_replaced", actor_id=user.pk).exists()


def test_regenerating_recovery_codes_without_a_recent_check_asks_for_one(client, verified_client):
    user = UserFactory()
    enrol_totp(user)
    client = verified_client(user)
    before = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    response = client.post(RECOVERY, HTTP_REFERER="http://testserver" + RECOVERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_step_up"))
    assert "next=%2Faccount%2Ftwo-factor%2Frecovery-codes%2F" in response["Location"]
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == before


def test_turning_off_needs_a_current_code(client, verified_client):
    user = UserFactory(language="en")
    device, codes = enrol_totp(user)
    client = verified_client(user)

    page = client.get(DISABLE)
    assert page.status_code == 200
    refused = client.post(DISABLE, {"method": "recovery", "recovery-code": "notacode"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    missing = client.post(DISABLE, {"method": "totp", "totp-code": ""})
    assert missing.status_code == 400
    assert "Enter the code." in missing.content.decode()

    forget_failures(user)
    done = client.post(DISABLE, {"method": "recovery", "recovery-code": codes[3]})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert selectors.recovery_codes_remaining(user=user) == 0
    assert not selectors.two_factor_enabled(user=user)
    assert AuditEvent.objects.filter(action="two_factor.disabled", actor_id=user.pk).exists()


def test_staff_cannot_turn_two_factor_off():
    staff = UserFactory(is_staff=True)
    _device, codes = enrol_totp(staff)
    with pytest.raises(services.ChangeRefused):
        services.two_factor_disable(user=staff, method="recovery", token=codes[0])
    assert selectors.two_factor_enabled(user=staff)


def test_sign_in_asks_for_the_code_before_anything_else(client):
    user = UserFactory()
    device, _codes = enrol_totp(user)

    password_login(client, user)
    for path in ["/", OVERVIEW, "/inbox/", "/account/identity/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{VERIFY}?next={path.replace('/', '%2F')}"

    page = client.get(VERIFY + "?next=/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="totp-code"' in html and 'name="recovery-code"' in html
    assert 'name="email-code"' not in html, "an authenticator user is not offered the weaker email code"

    response = client.post(
        VERIFY + "?next=/inbox/", {"method": "totp", "totp-code": totp_code(device, steps_ahead=1), "next": "/inbox/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    assert client.get(OVERVIEW).status_code == 200
    assert StepUpCheck.objects.filter(user=user, method="totp").count() == 1


def test_verification_ignores_an_unsafe_next(client):
    user = UserFactory()
    _device, codes = enrol_totp(user)
    client.force_login(user)
    response = client.post(VERIFY + "?next=https://evil.example/", {"method": "recovery", "recovery-code": codes[0]})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_unverified_session_may_still_sign_out_switch_language_and_reach_static_files(client):
    user = UserFactory()
    enrol_totp(user)
    client.force_login(user)
    assert client.get("/healthz").status_code in (200, 503)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.get("/static/js/site.js").status_code == 200
    assert client.get(VERIFY).status_code == 200
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_unverified_session_gets_403_from_the_api(client):
    user = UserFactory(language="en")
    enrol_totp(user)
    client.force_login(user)
    response = client.get("/api/v1/me/two-factor/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "second_factor_required"
    assert body["verify_url"].endswith(VERIFY)
    assert "Finish signing in first" in body["detail"]


def test_people_without_two_factor_are_not_stopped(client):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert "Two-factor sign-in is off." in response.content.decode()


# -- Email codes ---------------------------------------------------------------------------------


def test_email_code_goes_through_the_outbox_and_expires_after_ten_minutes(django_capture_on_commit_callbacks):
    user = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        device = services.email_code_send(user=user, purpose=Purpose.STEP_UP)
    assert not device.confirmed, "an email device made for a step-up check does not switch the sign-in step on"
    assert not selectors.two_factor_enabled(user=user)
    code = emailed_code(user)
    assert len(mail.outbox) == 1
    assert code in mail.outbox[0].body
    device.refresh_from_db()
    assert code not in device.token, "the database keeps a keyed hash of the code, never the code"
    assert mail.outbox[0].to == [user.email]
    assert device.valid_until - timezone.now() > timedelta(minutes=9, seconds=50)

    later = timezone.now() + timedelta(minutes=10, seconds=5)
    with mock.patch("django.utils.timezone.now", return_value=later), pytest.raises(CodeRefused, match="expired"):
        services.second_factor_check(user=user, method="email", token=code, purpose=Purpose.STEP_UP)


def test_email_code_works_within_ten_minutes_and_only_once(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.email_code_send(user=user, purpose=Purpose.STEP_UP)
    token = emailed_code(user)
    nine_minutes_on = timezone.now() + timedelta(minutes=9)
    with mock.patch("django.utils.timezone.now", return_value=nine_minutes_on):
        assert services.second_factor_check(user=user, method="email", token=token, purpose=Purpose.STEP_UP)
    with pytest.raises(CodeRefused):
        services.second_factor_check(user=user, method="email", token=token, purpose=Purpose.STEP_UP)


def test_a_second_email_code_waits_for_the_cooldown():
    user = UserFactory(language="en")
    services.email_code_send(user=user, purpose=Purpose.STEP_UP)
    with pytest.raises(services.CodeNotSent, match="a moment ago"):
        services.email_code_send(user=user, purpose=Purpose.STEP_UP)


def test_citizen_without_an_authenticator_can_turn_on_email_codes(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(EMAIL_SETUP, {"action": "send_email"})
    assert sent.status_code == 302
    device = EmailDevice.objects.get(user=user)
    response = client.post(EMAIL_SETUP, {"method": "email", "email-code": emailed_code(user)})
    assert response.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-7]{8}</code></li>", response.content.decode())) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert selectors.login_methods_for(user=user) == ["email", "recovery"]

    # Next sign-in asks for an email code.
    client.logout()
    password_login(client, user)
    assert client.get("/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(VERIFY, {"action": "send_email"})
    assert client.post(VERIFY, {"method": "email", "email-code": emailed_code(user)}).status_code == 302
    assert client.get("/").status_code == 200


def test_staff_cannot_use_email_codes_as_their_second_factor(client):
    staff = UserFactory(is_staff=True)
    with pytest.raises(services.ChangeRefused):
        services.email_code_send(user=staff, purpose=Purpose.SETUP)
    client.force_login(staff)
    assert client.get(EMAIL_SETUP).status_code == 302


def test_authenticator_takes_over_from_email_codes(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.email_code_send(user=user, purpose=Purpose.SETUP)
    services.email_codes_enable(user=user, token=emailed_code(user))
    enrol_totp(user)
    assert selectors.login_methods_for(user=user) == ["totp", "recovery"]
    assert selectors.recovery_codes_remaining(user=user) == 10, "the existing recovery codes are kept"


# -- Overview and API ----------------------------------------------------------------------------


def test_overview_shows_what_is_enrolled(client, verified_client):
    user = UserFactory()
    enrol_totp(user)
    client = verified_client(user)
    html = client.get(OVERVIEW).content.decode()
    assert 'data-testid="two-factor-state"' in html
    assert 'data-testid="recovery-codes-remaining"' in html
    assert reverse("accounts:two_factor_disable") in html


def test_api_tells_what_is_enrolled(verified_client):
    user = UserFactory()
    enrol_totp(user)
    client = verified_client(user)
    response = client.get("/api/v1/me/two-factor/")
    assert response.status_code == 200
    assert response.json() == {
        "enabled": True,
        "totp_confirmed": True,
        "email_codes_enabled": False,
        "email_codes_available": True,
        "recovery_codes_remaining": 10,
    }


def test_api_refuses_anonymous_callers(client):
    assert client.get("/api/v1/me/two-factor/").status_code in (401, 403)


def test_api_answers_for_the_caller_only(client):
    other = UserFactory()
    enrol_totp(other)
    me = UserFactory()
    client.force_login(me)
    assert client.get("/api/v1/me/two-factor/").json()["totp_confirmed"] is False


def test_api_is_in_the_openapi_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/me/two-factor/" in response.content.decode()


def test_pages_of_people_without_two_factor_ask_once_then_cost_no_query(client, django_assert_num_queries):
    from django.core.cache import cache
    from django.test import RequestFactory

    from accounts.models import User
    from accounts.two_factor.middleware import SecondFactorStepMiddleware

    cache.clear()
    user = UserFactory()
    middleware = SecondFactorStepMiddleware(lambda request: "passed")

    def page():
        # A fresh user object per request, as the authentication middleware loads it.
        request = RequestFactory().get("/")
        request.user = User.objects.get(pk=user.pk)
        request.session = client.session
        request.user.is_verified = lambda: False
        return request

    first, later = page(), page()
    with django_assert_num_queries(1):
        assert middleware(first) == "passed"
    with django_assert_num_queries(0):
        assert middleware(later) == "passed"
    # Turning two-factor on (in any session) takes effect on the very next page.
    enrol_totp(user)
    assert middleware(page()).status_code == 302


def test_the_cached_answer_follows_every_change_of_devices():
    from django.core.cache import cache

    from accounts.models import User

    cache.clear()
    user = UserFactory()

    def enabled() -> bool:
        return selectors.two_factor_enabled_cached(user=User.objects.get(pk=user.pk))

    assert enabled() is False
    device, codes = enrol_totp(user)
    assert enabled() is True
    # Removed behind the services (as admin does): recovery codes still count.
    device.delete()
    assert enabled() is True
    StaticToken.objects.filter(device__user=user).delete()
    assert enabled() is False
    services.email_codes_enable(user=user, token=_email_setup_code(user))
    assert enabled() is True


def _email_setup_code(user) -> str:
    services.email_code_send(user=user, purpose=Purpose.SETUP)
    return emailed_code(user)
