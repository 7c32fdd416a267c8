"""The citizen's pages under /requests/: list, new request per kind, detail, reply, withdraw, complaint."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consents.models import ConsentState, Purpose
from consents.services import consent_grant
from notifications.models import OutboxEmail
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestKind, RequestState
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def signed_in(verified_client, citizen):
    return verified_client(citizen)


def _file(user, kind=RequestKind.ACCESS, **kwargs):
    check = step_up_passed(user)
    return services.privacy_request_create(requester=user, kind=kind, details={}, identity_check=check, **kwargs)


def test_list_needs_sign_in(client):
    response = client.get(reverse("privacy_requests:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_shows_my_requests_with_due_date_and_flags(signed_in, citizen, django_assert_max_num_queries):
    mine = _file(citizen)
    overdue = _file(citizen, RequestKind.EXPORT)
    PrivacyRequest.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    other = _file(UserFactory(), RequestKind.DELETION)
    signed_in.get(reverse("privacy_requests:list"))  # the session's first page records it and fills the caches
    # Session, user, calendar, the requests, unread count, cookie choice: constant, whatever the number of requests.
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("privacy_requests:list"), **EN)
    page = response.content.decode()
    assert mine.reference in page and overdue.reference in page
    assert other.reference not in page
    assert 'data-testid="flag-overdue"' in page
    # Every kind can be started from here, cancellation through its own flow.
    for kind in ("access", "export", "correction", "deletion", "withdrawal", "complaint"):
        assert f'data-testid="new-{kind}"' in page
    assert "/requests/cancel/" in page


def test_new_request_needs_a_recent_step_up(signed_in):
    response = signed_in.get(reverse("privacy_requests:new", args=["access"]))
    assert response.status_code == 302
    assert reverse("accounts:two_factor_step_up") in response["Location"]


def test_filing_an_access_request_records_the_step_up_and_starts_the_clock(signed_in, citizen):
    check = step_up_passed(citizen, client=signed_in)
    response = signed_in.post(reverse("privacy_requests:new", args=["access"]), {"note": "all of it"}, **EN)
    request = PrivacyRequest.objects.get(requester=citizen)
    assert response.status_code == 302 and response["Location"] == reverse("privacy_requests:detail", args=[request.pk])
    assert request.identity_check == check
    assert request.state == RequestState.IDENTITY_VERIFIED and request.due_date
    assert services.request_details(request) == {"note": "all of it"}


def test_duplicate_open_request_is_refused_with_a_link_to_the_open_one(signed_in, citizen):
    first = _file(citizen)
    step_up_passed(citizen, client=signed_in)
    url = reverse("privacy_requests:new", args=["access"])
    page = signed_in.get(url, **EN).content.decode()
    assert 'data-testid="duplicate"' in page
    assert reverse("privacy_requests:detail", args=[first.pk]) in page
    response = signed_in.post(url, {"note": "again"}, **EN)
    assert response.status_code == 200
    assert PrivacyRequest.objects.filter(requester=citizen).count() == 1


def test_correction_form_names_the_field_with_a_bad_value(signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    response = signed_in.post(
        reverse("privacy_requests:new", args=["correction"]),
        {"field": "phone", "new_value": "12345", "reason": "I changed my number"},
        **EN,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_value"]
    assert not PrivacyRequest.objects.exists()


def test_correction_request_is_filed(signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    response = signed_in.post(
        reverse("privacy_requests:new", args=["correction"]),
        {"field": "phone", "new_value": "13800138000", "reason": "I changed my number"},
        **EN,
    )
    assert response.status_code == 302
    request = PrivacyRequest.objects.get(requester=citizen, kind="correction")
    assert services.request_details(request)["field"] == "phone"
    page = signed_in.get(response["Location"], **EN).content.decode()
    assert "I changed my number" in page


def test_consent_withdrawal_request_completes_at_once(signed_in, citizen):
    purpose = Purpose.objects.get(code="surveys")
    consent_grant(subject=citizen, purpose=purpose)
    step_up_passed(citizen, client=signed_in)
    url = reverse("privacy_requests:new", args=["withdrawal"])
    page = signed_in.get(url, **EN).content.decode()
    assert 'value="surveys"' in page
    assert 'value="recommendations"' not in page  # never granted, so nothing to withdraw
    response = signed_in.post(url, {"purposes": ["surveys"]}, **EN)
    assert response.status_code == 302
    request = PrivacyRequest.objects.get(requester=citizen, kind="withdrawal")
    assert request.state == RequestState.COMPLETED
    assert ConsentState.objects.get(subject=citizen, purpose=purpose, partner=None).granted is False


def test_detail_shows_timeline_due_date_and_pause(signed_in, citizen, staff):
    request = _file(citizen)
    services.privacy_request_start_review(request=request, actor=staff)
    services.privacy_request_message(
        request=request, author=staff, body="Which years?", from_staff=True, waits_for_citizen=True
    )
    page = signed_in.get(reverse("privacy_requests:detail", args=[request.pk]), **EN).content.decode()
    assert request.reference in page
    assert 'data-testid="paused"' in page and "Waiting for your answer since" in page
    assert "Which years?" in page
    for action in ("submitted", "verify", "start_review", "paused"):
        assert f'data-testid="event-{action}"' in page
    assert 'data-testid="event-assigned"' not in page  # internal steps stay internal
    assert 'data-testid="withdraw-link"' in page


def test_replying_resumes_the_clock(signed_in, citizen, staff):
    request = _file(citizen)
    services.privacy_request_message(
        request=request, author=staff, body="Which years?", from_staff=True, waits_for_citizen=True
    )
    response = signed_in.post(reverse("privacy_requests:reply", args=[request.pk]), {"body": "2020 to 2024"}, **EN)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.paused_since is None
    assert request.messages.filter(from_staff=False).get().body == "2020 to 2024"


def test_another_persons_request_is_404_on_every_page(signed_in):
    theirs = _file(UserFactory())
    assert signed_in.get(reverse("privacy_requests:detail", args=[theirs.pk])).status_code == 404
    assert signed_in.get(reverse("privacy_requests:withdraw", args=[theirs.pk])).status_code == 404
    assert signed_in.post(reverse("privacy_requests:withdraw", args=[theirs.pk])).status_code == 404
    assert signed_in.post(reverse("privacy_requests:reply", args=[theirs.pk]), {"body": "hi"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == RequestState.IDENTITY_VERIFIED and not theirs.messages.exists()


def test_withdrawing_from_the_detail_page(signed_in, citizen):
    request = _file(citizen)
    url = reverse("privacy_requests:withdraw", args=[request.pk])
    assert signed_in.get(url).status_code == 200
    signed_in.post(url)
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    page = signed_in.get(reverse("privacy_requests:detail", args=[request.pk]), **EN).content.decode()
    assert 'data-testid="withdraw-link"' not in page


def test_refusal_shows_reason_and_how_to_complain(signed_in, citizen, staff):
    request = _file(citizen)
    services.privacy_request_propose(
        request=request, actor=staff, action="refuse", reason_code="manifestly_unfounded", explanation="Fifth copy"
    )
    services.privacy_request_confirm(request=request, actor=UserFactory(is_staff=True))
    page = signed_in.get(reverse("privacy_requests:detail", args=[request.pk]), **EN).content.decode()
    assert 'data-testid="refusal"' in page and "Fifth copy" in page and "12345" in page
    assert reverse("privacy_requests:complaint") in page


def test_outcomes_with_legal_reasons_are_listed(signed_in, citizen, staff):
    request = _file(citizen)
    services.privacy_request_complete(
        request=request, actor=staff, outcomes=[("consents", "kept", "Kept 3 years by law (PIPL art. 47)")]
    )
    page = signed_in.get(reverse("privacy_requests:detail", args=[request.pk]), **EN).content.decode()
    assert 'data-testid="outcomes"' in page and "PIPL art. 47" in page


def test_anonymous_complaint_with_contact_email_and_hotline(client, staff, django_capture_on_commit_callbacks):
    url = reverse("privacy_requests:complaint")
    page = client.get(url, **EN).content.decode()
    assert 'data-testid="hotline"' in page and "12345" in page
    bad = client.post(url, {"subject": "Data", "message": "Why?", "contact_email": "not-an-email"}, **EN)
    assert bad.status_code == 200 and bad.context["form"].errors["contact_email"]
    assert not PrivacyRequest.objects.exists()
    response = client.post(url, {"subject": "Data", "message": "Why?", "contact_email": "anon@example.cn"}, **EN)
    assert response.status_code == 200 and 'data-testid="complaint-received"' in response.content.decode()
    request = PrivacyRequest.objects.get()
    assert request.requester is None and request.contact_email == "anon@example.cn" and request.due_date
    # The staff answer goes to the contact address.
    services.privacy_request_verify(request=request, actor=staff, identity_check_note="anonymous, by email")
    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_complete(request=request, actor=staff, answer="Here is why.")
    sent = OutboxEmail.objects.filter(to_address="anon@example.cn", kind="request_status_changed")
    assert any("Here is why." in email.body for email in sent)
    assert any("Here is why." in message.body for message in mail.outbox)


def test_signed_in_complaint_needs_step_up(signed_in, citizen):
    url = reverse("privacy_requests:complaint")
    response = signed_in.get(url)
    assert response.status_code == 302 and reverse("accounts:two_factor_step_up") in response["Location"]
    step_up_passed(citizen, client=signed_in)
    response = signed_in.post(url, {"subject": "Cookies", "message": "Which ones?"}, **EN)
    assert response.status_code == 302
    assert PrivacyRequest.objects.get(requester=citizen, kind="complaint").contact_email == ""


def test_cancellation_kind_goes_to_its_own_flow(signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    response = signed_in.get(reverse("privacy_requests:new", args=["cancellation"]))
    assert response.status_code == 302 and response["Location"].endswith("/requests/cancel/")
    assert signed_in.get(reverse("privacy_requests:new", args=["nonsense"])).status_code == 404


def test_daily_export_limit_is_explained_on_the_form(signed_in, citizen):
    for _ in range(3):
        services.privacy_request_withdraw(request=_file(citizen, RequestKind.EXPORT), actor=citizen)
    step_up_passed(citizen, client=signed_in)
    response = signed_in.post(reverse("privacy_requests:new", args=["access"]), {}, **EN)
    assert response.status_code == 200
    assert "copies of your data a day" in response.content.decode()
    assert PrivacyRequest.objects.filter(requester=citizen).count() == 3


def test_deletion_request_names_the_chosen_categories(signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    url = reverse("privacy_requests:new", args=["deletion"])
    page = signed_in.get(url, **EN).content.decode()
    assert 'name="categories"' in page
    response = signed_in.post(url, {"categories": ["consents"]}, **EN)
    assert response.status_code == 302
    request = PrivacyRequest.objects.get(requester=citizen, kind="deletion")
    assert services.request_details(request) == {"categories": ["consents"]}
    response = signed_in.post(url, {"categories": ["no_such_category"]}, **EN)
    assert response.status_code == 200  # the duplicate notice, nothing more filed
    assert PrivacyRequest.objects.filter(requester=citizen).count() == 1


def test_extension_reason_is_shown(signed_in, citizen, staff):
    request = _file(citizen)
    services.privacy_request_extend(request=request, actor=staff, working_days=5, reason="Records in the archive")
    page = signed_in.get(reverse("privacy_requests:detail", args=[request.pk]), **EN).content.decode()
    assert 'data-testid="extension"' in page and "Records in the archive" in page
    assert 'data-testid="event-extended"' in page


def test_anonymous_complaints_are_limited_per_connection(client):
    url = reverse("privacy_requests:complaint")
    data = {"subject": "Spam", "message": "Spam", "contact_email": "anon@example.cn"}
    for _ in range(10):
        assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 429
    assert PrivacyRequest.objects.count() == 10


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_browser_correction_with_a_question_pauses_and_the_reply_resumes(live_server, page, artifacts_dir):
    import re

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.e2e.test_consents_dashboard import sign_in_with_authenticator

    citizen = UserFactory(language="en")
    staff = UserFactory(is_staff=True)
    device = TOTPDevice.objects.create(user=citizen, name="authenticator", confirmed=True)
    sign_in_with_authenticator(page, live_server, citizen, device)  # the sign-in code counts as a fresh check

    page.goto(live_server.url + "/requests/")
    page.get_by_test_id("new-correction").click()
    page.get_by_label("Which detail is wrong").select_option("phone")
    page.get_by_label("The correct value").fill("13800138000")
    page.get_by_label("Why the stored value is wrong").fill("I changed my number")
    page.get_by_test_id("submit-request").click()
    page.wait_for_url(re.compile(r".*/requests/\d+/$"))
    request = PrivacyRequest.objects.get(requester=citizen, kind="correction")
    assert request.identity_check is not None

    services.privacy_request_start_review(request=request, actor=staff)
    services.privacy_request_message(
        request=request, author=staff, body="Since when?", from_staff=True, waits_for_citizen=True
    )
    page.reload()
    assert page.get_by_test_id("paused").is_visible()
    page.screenshot(path=str(artifacts_dir / "request-paused.png"), full_page=True)
    page.get_by_label("Your reply").fill("Since March")
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_url(re.compile(r".*/requests/\d+/$"))
    assert page.get_by_test_id("due-date").is_visible()
    request.refresh_from_db()
    assert request.paused_since is None


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_browser_anonymous_complaint(live_server, page):
    page.goto(live_server.url + "/requests/complaint/")
    assert "12345" in page.get_by_test_id("hotline").inner_text()
    # The browser asks for zh-CN, the portal's default language.
    page.get_by_label("主题").fill("Cookies")
    page.get_by_label("您的投诉或咨询").fill("Why this banner?")
    page.get_by_label("您的电子邮箱").fill("anon@example.cn")
    page.get_by_test_id("submit-complaint").click()
    assert page.get_by_test_id("complaint-received").is_visible()
    assert PrivacyRequest.objects.get().contact_email == "anon@example.cn"
