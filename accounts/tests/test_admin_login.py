"""Admin opens only after allauth's sign-in and the authenticator step; it has no login form of its own."""

import time

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_email.models import EmailDevice

from accounts.two_factor import services
from accounts.two_factor.admin_site import PortalAdminSite
from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
LOGIN = "/accounts/login/"


def totp_code(device, *, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_login(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_every_admin_registration_lives_on_the_second_factor_site():
    reverse("admin:index")
    assert isinstance(admin.site, PortalAdminSite)
    assert admin.site.name == "admin"
    assert admin.site.is_registered(AuditEvent)


def test_signed_out_visitors_go_to_the_portal_sign_in(client):
    response = client.get("/admin/audit/auditevent/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=%2Fadmin%2Faudit%2Fauditevent%2F"


def test_admin_login_has_no_password_form(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=%2Fadmin%2F"
    assert b'type="password"' not in response.content

    # Posting credentials to it signs nobody in.
    response = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_login_does_not_bounce_to_other_sites(client):
    response = client.get("/admin/login/?next=https://evil.example/admin/")
    assert response["Location"] == LOGIN + "?next=%2Fadmin%2F"


def test_staff_without_an_authenticator_cannot_set_one_up_by_themselves(client):
    """A leaked staff password is not an admin takeover: the first authenticator needs an enrolment link."""
    staff = UserFactory(is_staff=True, is_superuser=True, language="en")
    password_login(client, staff)

    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/two-factor/authenticator/?next=%2Fadmin%2F"
    assert response.status_code == 403
    page = response.content.decode()
    assert "needs an enrolment link" in page
    assert 'name="totp-code"' not in page, "no secret is shown"

    # Posting a code computed from a device made behind the page's back changes nothing.
    device = services.totp_device_start(user=staff)
    refused = client.post("/account/two-factor/authenticator/", {"totp-code": totp_code(device)})
    assert refused.status_code == 403
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302


def test_staff_with_an_authenticator_pass_the_code_step_after_signing_in(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    device = services.totp_device_start(user=staff)
    services.totp_device_confirm(user=staff, token=totp_code(device))
    password_login(client, staff)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/verify/?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert 'name="email-code"' not in page.content.decode(), "no email codes for admin"

    response = client.post(
        "/account/two-factor/verify/?next=%2Fadmin%2F",
        {"method": "totp", "totp-code": totp_code(device, steps_ahead=1), "next": "/admin/"},
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_verified_staff_get_in(verified_client):
    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_a_verified_citizen_is_refused(verified_client):
    client = verified_client(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403


def test_an_email_code_does_not_open_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    device = services.totp_device_start(user=staff)
    services.totp_device_confirm(user=staff, token=totp_code(device))
    # A session verified by an email device (left from before the person became staff).
    email_device = EmailDevice.objects.create(user=staff, name="email", confirmed=True)
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = email_device.persistent_id
    session.save()

    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/two-factor/verify/?next=%2Fadmin%2F"
    assert 'name="totp-code"' in response.content.decode()


def test_inactive_staff_are_refused(verified_client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = verified_client(staff)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
