"""The step-up check before sensitive actions: decorator, mixin, DRF permission, and the page."""

import hashlib
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from django.views import View
from django_otp.oath import TOTP
from django_otp.plugins.otp_email.models import EmailDevice
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import StepUpCheck
from accounts.service_clients.scopes import CONSENT_CHECK
from accounts.two_factor import services
from accounts.two_factor.decorators import (
    RecentVerificationPermission,
    RecentVerificationRequiredMixin,
    recent_verification_permission,
    require_recent_verification,
)
from accounts.two_factor.selectors import step_up_recent
from tests.codes import emailed_code
from tests.factories import UserFactory

STEP_UP = "/account/two-factor/step-up/"


# -- A sensitive page, form, class view and API endpoint, as later features write them. -------------


@require_recent_verification(minutes=10)
def sensitive(request):
    check = step_up_recent(request=request, minutes=10)
    if request.method == "POST":
        return HttpResponse(f"done with check {check.pk}")
    return HttpResponse(f"form relying on check {check.pk}")


@require_recent_verification
def sensitive_default(request):
    return HttpResponse("ok")


class SensitiveView(RecentVerificationRequiredMixin, View):
    step_up_minutes = 5

    def get(self, request):
        return HttpResponse("class ok")


@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated, RecentVerificationPermission])
def sensitive_api(request):
    return Response({"ok": True})


@api_view(["GET"])
@permission_classes([IsAuthenticated, recent_verification_permission(minutes=5)])
def sensitive_api_five(request):
    return Response({"ok": True})


urlpatterns = [
    path("sensitive/", sensitive),
    path("sensitive-default/", sensitive_default),
    path("sensitive-class/", SensitiveView.as_view()),
    path("api/v1/sensitive/", sensitive_api),
    path("api/v1/sensitive-five/", sensitive_api_five),
    path("", include("privacy_portal.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def totp_code(device, *, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def pass_step_up_by_email(client, user, django_capture_on_commit_callbacks) -> StepUpCheck:
    """Go through the step-up page the way a citizen without an authenticator does."""
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(STEP_UP, {"action": "send_email"}).status_code == 302
    token = emailed_code(user)
    response = client.post(STEP_UP + "?next=/sensitive/", {"method": "email", "email-code": token})
    assert response.status_code == 302
    return StepUpCheck.objects.filter(user=user).latest("verified_at")


def age(check: StepUpCheck, minutes: int) -> None:
    StepUpCheck.objects.filter(pk=check.pk).update(verified_at=timezone.now() - timedelta(minutes=minutes))


def test_without_a_check_the_citizen_is_sent_to_the_step_up_page_and_back(client):
    client.force_login(UserFactory())
    response = client.get("/sensitive/?tab=2")
    assert response.status_code == 302
    assert response["Location"] == STEP_UP + "?next=%2Fsensitive%2F%3Ftab%3D2"


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/sensitive/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_fresh_check_lets_the_action_through(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    check = pass_step_up_by_email(client, user, django_capture_on_commit_callbacks)
    assert check.method == StepUpCheck.Method.EMAIL
    assert check.session_key_hash == hashlib.sha256(client.session.session_key.encode()).hexdigest()
    response = client.get("/sensitive/")
    assert response.status_code == 200
    assert response.content.decode() == f"form relying on check {check.pk}"
    assert client.get("/sensitive-default/").status_code == 200


def test_a_check_eleven_minutes_old_is_not_recent(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    check = pass_step_up_by_email(client, user, django_capture_on_commit_callbacks)
    age(check, 11)
    response = client.get("/sensitive/")
    assert response.status_code == 302
    assert response["Location"].startswith(STEP_UP)
    age(check, 9)
    assert client.get("/sensitive/").status_code == 200


def test_a_check_from_another_session_does_not_count(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    pass_step_up_by_email(client, user, django_capture_on_commit_callbacks)
    assert client.get("/sensitive/").status_code == 200

    other_browser = Client()
    other_browser.force_login(user)
    response = other_browser.get("/sensitive/")
    assert response.status_code == 302
    assert response["Location"].startswith(STEP_UP)


def test_a_check_of_another_person_does_not_count(client, django_capture_on_commit_callbacks):
    someone = UserFactory()
    client.force_login(someone)
    check = pass_step_up_by_email(client, someone, django_capture_on_commit_callbacks)
    me = UserFactory()
    client.force_login(me)  # a new session key; and the row names someone else
    StepUpCheck.objects.filter(pk=check.pk).update(
        session_key_hash=hashlib.sha256(client.session.session_key.encode()).hexdigest()
    )
    assert client.get("/sensitive/").status_code == 302


def test_a_post_without_a_check_returns_to_the_form_page_and_does_nothing(client):
    client.force_login(UserFactory())
    response = client.post("/sensitive/", {"x": "1"}, HTTP_REFERER="http://testserver/requests/new/?kind=delete")
    assert response.status_code == 302
    assert response["Location"] == STEP_UP + "?next=%2Frequests%2Fnew%2F%3Fkind%3Ddelete&resubmit=1"

    # A foreign referrer is not followed: back to the action's own address.
    response = client.post("/sensitive/", HTTP_REFERER="https://evil.example/")
    assert response["Location"] == STEP_UP + "?next=%2Fsensitive%2F&resubmit=1"


def test_class_views_use_the_mixin_with_their_own_window(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/sensitive-class/")["Location"].startswith(STEP_UP)
    check = pass_step_up_by_email(client, user, django_capture_on_commit_callbacks)
    assert client.get("/sensitive-class/").status_code == 200
    age(check, 6)
    assert client.get("/sensitive-class/").status_code == 302


def test_api_answers_403_with_the_step_up_address(client, django_capture_on_commit_callbacks):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.get("/api/v1/sensitive/")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "step_up_required"
    assert body["step_up_url"] == "http://testserver" + STEP_UP
    assert "http://testserver" + STEP_UP in body["detail"]
    assert "one-time code" in body["detail"]
    assert body["request_id"]

    check = pass_step_up_by_email(client, user, django_capture_on_commit_callbacks)
    assert client.get("/api/v1/sensitive/").json() == {"ok": True}
    age(check, 6)
    assert client.get("/api/v1/sensitive/").status_code == 200
    assert client.get("/api/v1/sensitive-five/").status_code == 403
    age(check, 11)
    assert client.get("/api/v1/sensitive/").status_code == 403


def test_api_refuses_anonymous_callers(client):
    assert client.get("/api/v1/sensitive/").status_code in (401, 403)


def test_service_clients_have_no_session_and_never_pass(client, service_client):
    _service, token = service_client(scopes=[CONSENT_CHECK])
    response = client.get("/api/v1/sensitive/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403


def test_with_an_authenticator_the_step_up_asks_for_its_code(client):
    user = UserFactory()
    device = services.totp_device_start(user=user)
    services.totp_device_confirm(user=user, token=totp_code(device))
    device.refresh_from_db()
    client.force_login(user)
    # The sign-in step first (the middleware insists), with the recovery code,
    # so no step-up check is recorded by it.
    codes = services.recovery_codes_regenerate(user=user)
    verified = client.post("/account/two-factor/verify/", {"method": "recovery", "recovery-code": codes[0]})
    assert verified.status_code == 302
    StepUpCheck.objects.filter(user=user).delete()

    page = client.get(STEP_UP + "?next=/sensitive/")
    html = page.content.decode()
    assert 'name="totp-code"' in html
    assert 'name="email-code"' not in html, "the authenticator is used when enrolled, not email"
    client.post(STEP_UP, {"action": "send_email"})
    assert not EmailDevice.objects.filter(user=user).exists(), "no email code for an authenticator user"

    wrong = client.post(STEP_UP + "?next=/sensitive/", {"method": "totp", "totp-code": "12345x"})
    assert wrong.status_code == 400
    assert not StepUpCheck.objects.filter(user=user).exists()

    # django-otp locks the device for a second after the wrong code.
    time.sleep(1.1)
    response = client.post(
        STEP_UP + "?next=/sensitive/", {"method": "totp", "totp-code": totp_code(device, steps_ahead=1)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/sensitive/"
    check = StepUpCheck.objects.get(user=user)
    assert check.method == StepUpCheck.Method.TOTP
    assert client.get("/sensitive/").content.decode() == f"form relying on check {check.pk}"


def test_step_up_page_ignores_an_unsafe_next(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(STEP_UP, {"action": "send_email"})
    token = emailed_code(user)
    response = client.post(STEP_UP + "?next=https://evil.example/x", {"method": "email", "email-code": token})
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/"


def test_step_up_after_a_post_asks_to_submit_again(client, django_capture_on_commit_callbacks):
    user = UserFactory(language="en")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(STEP_UP, {"action": "send_email"})
    token = emailed_code(user)
    response = client.post(
        STEP_UP + "?next=/sensitive/&resubmit=1", {"method": "email", "email-code": token}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/sensitive/"
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert shown[-1] == "Thank you. Please submit the form again to continue."


def test_step_up_recent_is_the_selector_later_features_record(client, rf, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    check = pass_step_up_by_email(client, user, django_capture_on_commit_callbacks)
    request = rf.get("/")
    request.user = user
    request.session = client.session
    assert step_up_recent(request=request, minutes=10) == check
    assert step_up_recent(request=request, minutes=0) is None
