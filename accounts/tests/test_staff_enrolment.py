"""Staff get their first admin second factor only through a link issued by someone else (issue #11)."""

import re
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StaffEnrolment, User
from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from accounts.two_factor import services
from accounts.two_factor.selectors import admin_device_confirmed
from audit.models import AuditEvent
from notifications.models import InboxMessage, OutboxEmail
from tests.codes import emailed_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LINK = re.compile(r"https?://[^/\s]+(/account/two-factor/staff-enrolment/[^/\s]+/)")


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def staff_member(role: StaffRole | None = None, **fields):
    user = UserFactory(is_staff=True, language="en", **fields)
    if role is not None:
        user.groups.add(staff_groups_ensure()[role])
    return user


def with_authenticator(user):
    device = services.totp_device_start(user=user)
    services.totp_device_confirm(user=user, token=code_for(device))
    return user


def admin_session(client, user):
    """Signed in to admin: password, then the authenticator step."""
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(
        "/account/two-factor/verify/", {"method": "totp", "totp-code": code_for(device, steps_ahead=1), "next": "/"}
    )
    assert response.status_code == 302
    return client


def issue_in_admin(client, officer, staff):
    return admin_session(client, officer).post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_link", "_selected_action": [staff.pk]},
        follow=True,
        **EN,
    )


def emailed_link_path(staff) -> str:
    return LINK.search(emailed_text(staff, "staff_enrolment")).group(1)


def test_an_officer_emails_a_link_and_the_staff_member_reaches_admin_through_it(
    client, django_capture_on_commit_callbacks
):
    officer = with_authenticator(staff_member(StaffRole.PRIVACY_OFFICER))
    staff = staff_member(StaffRole.CUSTOMER_SERVICE, email="cs@example.cn")

    with django_capture_on_commit_callbacks(execute=True):
        page = issue_in_admin(client, officer, staff)
    assert "1 enrolment link sent." in page.content.decode()
    path = emailed_link_path(staff)
    # Email only: an inbox copy would be readable with the staff password alone.
    assert not InboxMessage.objects.filter(recipient=staff).exists()
    issued = AuditEvent.objects.get(action="staff_enrolment.issued")
    assert (issued.actor_id, issued.target_id, issued.details["delivery"]) == (officer.pk, str(staff.pk), "email")
    assert path.split("/")[-2] not in str(issued.details), "the secret is not in the audit log"

    client.logout()
    client.force_login(staff)
    assert client.get("/account/two-factor/authenticator/").status_code == 403
    assert client.get(path, **EN).status_code == 200
    assert not StaffEnrolment.objects.get(user=staff).used_at, "opening the link changes nothing"
    response = client.post(path)
    assert response["Location"] == "/account/two-factor/authenticator/?next=/admin/"
    assert client.get(response["Location"]).status_code == 200
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    confirmed = client.post("/account/two-factor/authenticator/", {"totp-code": code_for(device), "next": "/admin/"})
    assert confirmed.status_code == 200
    assert admin_device_confirmed(user=staff)
    assert client.get("/admin/").status_code == 200
    used = AuditEvent.objects.get(action="staff_enrolment.used")
    assert (used.actor_id, used.target_id) == (staff.pk, str(staff.pk))

    # Single use: the same link again is refused, and the permission ended with the set-up.
    again = client.post(path, **EN)
    assert again.status_code == 400
    assert "cannot be used" in again.content.decode()


def test_expired_foreign_and_replaced_links_are_refused(client, django_capture_on_commit_callbacks):
    officer = with_authenticator(staff_member(StaffRole.PRIVACY_OFFICER))
    staff = staff_member(StaffRole.CUSTOMER_SERVICE)
    other = staff_member(StaffRole.CUSTOMER_SERVICE)
    with django_capture_on_commit_callbacks(execute=True):
        issue_in_admin(client, officer, staff)
        first = emailed_link_path(staff)
        OutboxEmail.objects.filter(recipient=staff).delete()
        issue_in_admin(client, officer, staff)
    second = emailed_link_path(staff)
    client.logout()

    client.force_login(staff)
    assert client.post(first).status_code == 400, "replaced by the newer link"
    client.force_login(other)
    assert client.post(second).status_code == 400, "another account's link"
    StaffEnrolment.objects.filter(user=staff).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(staff)
    assert client.post(second).status_code == 400, "expired"
    assert client.get("/account/two-factor/authenticator/").status_code == 403
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_the_setup_window_closes_after_thirty_minutes(client):
    staff = staff_member(StaffRole.CUSTOMER_SERVICE)
    out = StringIO()
    call_command("staff_enrol", staff.email, stdout=out)
    path = LINK.search(out.getvalue()).group(1)
    client.force_login(staff)
    client.post(path)
    session = client.session
    session["staff_enrolment"]["until"] = (timezone.now() - timedelta(seconds=1)).isoformat()
    session.save()
    assert client.get("/account/two-factor/authenticator/").status_code == 403


def test_the_server_command_prints_a_link_and_audits_it(client):
    staff = staff_member(email="first.admin@example.cn", is_superuser=True)
    out = StringIO()
    call_command("staff_enrol", "First.Admin@example.cn", stdout=out)
    path = LINK.search(out.getvalue()).group(1)
    issued = AuditEvent.objects.get(action="staff_enrolment.issued")
    assert issued.actor_id is None and issued.details["delivery"] == "server"
    assert not OutboxEmail.objects.filter(recipient=staff).exists()
    client.force_login(staff)
    assert client.post(path).status_code == 302
    assert client.get("/account/two-factor/authenticator/").status_code == 200


def test_only_someone_else_with_the_permission_can_issue_or_reset():
    from django.core.exceptions import PermissionDenied

    from accounts.two_factor.enrolment import staff_enrolment_issue, staff_second_factor_reset

    officer = staff_member(StaffRole.PRIVACY_OFFICER)
    customer_service = staff_member(StaffRole.CUSTOMER_SERVICE)
    staff = staff_member(StaffRole.CUSTOMER_SERVICE)
    with pytest.raises(PermissionDenied):
        staff_enrolment_issue(staff_member=staff, issued_by=customer_service)
    with pytest.raises(PermissionDenied):
        staff_enrolment_issue(staff_member=officer, issued_by=officer)
    with pytest.raises(PermissionDenied):
        staff_second_factor_reset(staff_member=officer, actor=officer)
    with pytest.raises(PermissionDenied):
        staff_second_factor_reset(staff_member=staff, actor=customer_service)
    assert not StaffEnrolment.objects.exists()


def test_a_reset_removes_every_factor_is_audited_and_needs_a_new_link(client):
    officer = with_authenticator(staff_member(StaffRole.PRIVACY_OFFICER))
    staff = with_authenticator(staff_member(StaffRole.CUSTOMER_SERVICE))
    page = admin_session(client, officer).post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [staff.pk]}, follow=True, **EN
    )
    assert "1 second factor reset" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    reset = AuditEvent.objects.get(action="two_factor.reset_by_staff")
    assert (reset.actor_id, reset.target_id, reset.details["authenticators"]) == (officer.pk, str(staff.pk), 1)
    client.logout()
    client.force_login(staff)
    assert client.get("/account/two-factor/authenticator/").status_code == 403


def test_customer_service_has_no_enrolment_actions(client):
    agent = with_authenticator(staff_member(StaffRole.CUSTOMER_SERVICE))
    page = admin_session(client, agent).get("/admin/accounts/user/")
    assert page.status_code == 200
    assert "issue_enrolment_link" not in page.content.decode()


def test_citizens_still_set_up_their_own_authenticator(client):
    citizen = UserFactory()
    client.force_login(citizen)
    assert client.get("/account/two-factor/authenticator/").status_code == 200


def test_seed_demo_recovery_codes_open_admin(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    lines = out.getvalue().splitlines()
    at = next(number for number, line in enumerate(lines) if "recovery codes" in line)
    email = lines[at - 1].split()[1]
    code = lines[at].rsplit(":", 1)[1].split()[0]
    staff = User.objects.get(email=email)
    assert admin_device_confirmed(user=staff)
    client.post("/accounts/login/", {"login": email, "password": lines[at - 1].split("password: ")[1].split()[0]})
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/verify/")
    response = client.post(
        "/account/two-factor/verify/", {"method": "recovery", "recovery-code": code, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_link_email_is_in_the_staff_members_language():
    from accounts.two_factor.enrolment import staff_enrolment_issue

    officer = staff_member(StaffRole.PRIVACY_OFFICER)
    staff = UserFactory(is_staff=True, language="zh-hans")
    staff_enrolment_issue(staff_member=staff, issued_by=officer)
    email = OutboxEmail.objects.get(recipient=staff, kind="staff_enrolment")
    assert email.subject == "为隐私门户管理后台设置身份验证器"
    assert "隐私专员请您" in email.text and LINK.search(email.text)
