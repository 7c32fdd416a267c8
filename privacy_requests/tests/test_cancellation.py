"""Account cancellation: confirm, every session ends, cooling-off offers only "reverse", completion, re-registration."""

import sys
from datetime import date, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import phones
from accounts.models import User
from audit.models import AuditEvent
from personal_data import holds
from privacy_requests import services
from privacy_requests.cancellation import services as cancellation
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind, RequestOutcome, RequestState
from privacy_requests.services import DuplicateRequest, TransitionNotAllowed
from privacy_requests.working_days import add_working_days, working_days_between
from tests.factories import CitizenFactory, UserFactory, step_up_passed

MIDDLEWARE = "privacy_requests.cancellation.middleware.CancellationPendingMiddleware"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRM = "/requests/cancel/"
REVERSE = "/requests/cancel/reverse/"
DONE = "/requests/cancel/done/"


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _middleware(settings):
    if MIDDLEWARE not in settings.BROWSER_MIDDLEWARE:
        middleware = list(settings.BROWSER_MIDDLEWARE)
        middleware.insert(middleware.index("accounts.two_factor.middleware.SecondFactorStepMiddleware") + 1, MIDDLEWARE)
        settings.BROWSER_MIDDLEWARE = middleware


@pytest.fixture
def wang_fang(db):
    """A citizen whose address and verified mobile number the tests sign in with and expect back."""
    user = CitizenFactory(email="wang.fang@example.cn")
    phones.user_phone_set(user=user, phone="13812345678", verified=True)
    return user


@pytest.fixture
def hold(monkeypatch):
    """``hold("profile")``: a legal hold on that category, seen by every eraser and page."""

    def apply(*categories):
        original = holds.is_held

        def held(*, user, category):
            return category in categories

        for module in list(sys.modules.values()):
            if getattr(module, "is_held", None) is original:
                monkeypatch.setattr(module, "is_held", held)

    return apply


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/", **EN)  # the session is now tracked like a real one
    return client


def file_online(user) -> PrivacyRequest:
    check = step_up_passed(user)
    return cancellation.cancellation_request(user=user, identity_check=check)


def cooled_off(request: PrivacyRequest) -> PrivacyRequest:
    PrivacyRequest.objects.filter(pk=request.pk).update(cooling_off_until=timezone.now() - timedelta(minutes=1))
    request.refresh_from_db()
    return request


# -- The confirmation page ----------------------------------------------------------


def test_confirm_page_needs_sign_in_and_a_fresh_step_up(wang_fang):
    assert Client().get(CONFIRM).status_code == 302
    assert "/accounts/login/" in Client().get(CONFIRM)["Location"]
    client = signed_in(wang_fang)
    response = client.get(CONFIRM)
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/step-up/")
    response = client.post(CONFIRM)
    assert response.status_code == 302
    assert not PrivacyRequest.objects.filter(kind=RequestKind.CANCELLATION).exists()


def test_confirm_page_lists_the_consequences_and_nothing_else_to_fulfil(wang_fang):
    client = signed_in(wang_fang)
    step_up_passed(wang_fang, client=client)
    assert client.get(CONFIRM).status_code == 200  # in Chinese, the default
    page = client.get(CONFIRM, **EN)
    assert page.status_code == 200
    text = page.content.decode()
    assert "What is deleted" in text and "Account and identity profile" in text
    assert "What the law keeps" in text
    assert "Cooling-off: until" in text
    assert "within 15 working days" in text
    assert "can be used to register a new account afterwards" in text
    # One button, no questionnaire, no other condition.
    assert page.context["cooling_off_until"] < timezone.make_aware(
        datetime.combine(page.context["due_date"], datetime.min.time())
    )
    form = text.split('action="/requests/cancel/"')[1].split("</form>")[0]
    assert 'data-testid="cancel-confirm"' in form
    assert "<select" not in form and "<textarea" not in form and 'type="checkbox"' not in form


def test_confirm_page_names_what_a_hold_keeps(wang_fang, hold):
    hold("sign_in_activity")
    client = signed_in(wang_fang)
    step_up_passed(wang_fang, client=client)
    text = client.get(CONFIRM, **EN).content.decode()
    kept = text.split('data-testid="cancel-kept"')[1].split("</ul>")[0]
    assert "Sign-in activity" in kept


# -- Confirming: every session ends at once -----------------------------------------


def test_confirming_files_the_request_and_ends_every_session_at_once(wang_fang):
    browser = signed_in(wang_fang)
    phone = signed_in(wang_fang)
    assert UserSession.objects.filter(user=wang_fang).count() == 2
    check = step_up_passed(wang_fang, client=browser)

    response = browser.post(CONFIRM, **EN)

    assert response.status_code == 302 and response["Location"] == DONE
    request = PrivacyRequest.objects.get(requester=wang_fang, kind=RequestKind.CANCELLATION)
    assert request.state == RequestState.IDENTITY_VERIFIED
    assert request.identity_check == check and request.channel == RequestChannel.WEB
    assert request.due_date is not None
    assert timezone.now() + timedelta(days=6) < request.cooling_off_until <= timezone.now() + timedelta(days=7)
    assert timezone.localdate(request.cooling_off_until) < request.due_date
    # Signed out here, and the other device's session is gone too.
    assert "_auth_user_id" not in browser.session
    assert UserSession.objects.filter(user=wang_fang).count() == 0
    assert phone.get("/account/identity/")["Location"].startswith("/accounts/login/")
    done = browser.get(DONE, **EN).content.decode()
    assert request.reference in done and "Reverse the cancellation" in done
    assert AuditEvent.objects.filter(action="privacy_request.cancellation_cooling_off").exists()


def test_the_person_is_told_how_long_they_can_reverse(wang_fang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file_online(wang_fang)
    message = next(m for m in mail.outbox if "cancellation" in m.subject and request.reference in m.subject)
    assert message.to == [wang_fang.email]
    assert "Reverse the cancellation" in message.body


def test_a_second_cancellation_is_refused_with_the_open_one(wang_fang):
    first = file_online(wang_fang)
    with pytest.raises(DuplicateRequest) as raised:
        file_online(wang_fang)
    assert raised.value.open_request == first


# -- Cooling-off: signing in offers only "reverse" ----------------------------------


def test_signing_in_during_cooling_off_offers_only_reverse(wang_fang):
    file_online(wang_fang)
    client = signed_in(wang_fang)

    for address in ("/", "/account/identity/", "/privacy/", CONFIRM, "/requests/"):
        response = client.get(address, **EN)
        assert response.status_code == 302 and response["Location"] == REVERSE, address
    api = client.get("/api/v1/me/", **EN)
    assert api.status_code == 403
    assert api.json()["code"] == "account_cancellation_pending"
    page = client.get(REVERSE, **EN)
    assert page.status_code == 200
    assert "Reverse the cancellation" in page.content.decode()
    # Signing out and the language switch stay open.
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_reversing_restores_normal_use(wang_fang):
    request = file_online(wang_fang)
    client = signed_in(wang_fang)

    response = client.post(REVERSE, **EN)

    assert response.status_code == 302 and response["Location"] == "/"
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    assert client.get("/account/identity/", **EN).status_code == 200
    assert client.get("/api/v1/me/", **EN).status_code == 200
    assert AuditEvent.objects.filter(action="privacy_request.cancellation_reversed").exists()


def test_the_reverse_page_is_only_for_a_pending_cancellation(wang_fang):
    assert Client().get(REVERSE)["Location"].startswith("/accounts/login/")
    client = signed_in(wang_fang)
    assert client.get(REVERSE)["Location"] == "/"
    other = UserFactory()
    theirs = file_online(other)
    # Someone else's pending cancellation is not theirs to reverse.
    client.post(REVERSE)
    theirs.refresh_from_db()
    assert theirs.state == RequestState.IDENTITY_VERIFIED


def test_after_cooling_off_it_can_no_longer_be_reversed(wang_fang):
    request = cooled_off(file_online(wang_fang))
    client = signed_in(wang_fang)
    assert client.get("/account/identity/")["Location"] == REVERSE
    page = client.get(REVERSE, **EN).content.decode()
    assert "can no longer be reversed online" in page and 'data-testid="cancel-reverse"' not in page
    client.post(REVERSE, **EN)
    request.refresh_from_db()
    assert request.state == RequestState.IDENTITY_VERIFIED


def test_cooling_off_always_ends_before_the_due_date(settings):
    settings.PRIVACY_CANCELLATION_COOLING_OFF_DAYS = 30
    # The National Day week follows: 15 working days reach far, but 30 calendar days reach further.
    start = datetime(2026, 9, 21, 10, 0, tzinfo=timezone.get_current_timezone())
    due = add_working_days(start.date(), 15)
    end = cancellation.cancellation_cooling_off_end(start=start, due_date=due)
    assert timezone.localdate(end) < due
    # It ends at the start of the last working day before the due date.
    assert working_days_between(timezone.localdate(end), due) == 1
    settings.PRIVACY_CANCELLATION_COOLING_OFF_DAYS = 7
    assert cancellation.cancellation_cooling_off_end(start=start, due_date=due) == start + timedelta(days=7)
    assert cancellation.cancellation_cooling_off_end(start=start, due_date=date(2026, 9, 24)) < start + timedelta(
        days=3
    )


# -- Completion by staff --------------------------------------------------------------


def test_staff_cannot_complete_during_cooling_off(wang_fang, staff):
    request = file_online(wang_fang)
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_complete(request=request, actor=staff)
    request.refresh_from_db()
    assert request.state == RequestState.IDENTITY_VERIFIED
    assert User.objects.get(pk=wang_fang.pk).is_active


def test_completion_erases_and_anonymises_and_the_email_and_phone_register_again(
    wang_fang, staff, django_capture_on_commit_callbacks
):
    SocialAccount.objects.create(user=wang_fang, provider="weixin", uid="wx-123")
    request = cooled_off(file_online(wang_fang))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_complete(request=request, actor=staff)

    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    account = User.objects.get(pk=wang_fang.pk)
    assert not account.is_active and not account.has_usable_password()
    assert (account.email, account.first_name, account.last_name, account.phone, account.phone_hash) == ("",) * 5
    assert not EmailAddress.objects.filter(user=account).exists()
    assert not SocialAccount.objects.filter(user=account).exists()
    assert not UserSession.objects.filter(user=account).exists()
    outcomes = {o.category: o.result for o in request.outcomes.all()}
    assert outcomes["profile"] == RequestOutcome.Result.ANONYMISED
    assert RequestOutcome.Result.KEPT not in outcomes.values()
    # The last word goes to the address the account had.
    [last] = [m for m in mail.outbox if request.reference in m.subject and "cancelled" in m.subject]
    assert last.to == ["wang.fang@example.cn"]
    assert "can be used to register again" in last.body and "We deleted or anonymised all your data." in last.body
    # The account no longer signs in.
    old = Client()
    old.post("/accounts/login/", {"login": "wang.fang@example.cn", "password": "Correct-Horse-42"})
    assert "_auth_user_id" not in old.session

    # The same email address and mobile number register a new account.
    fresh = Client()
    response = fresh.post(
        "/accounts/signup/",
        {
            "kind": "individual",
            "email": "wang.fang@example.cn",
            "phone": "13812345678",
            "password1": "Battery-Staple-77",
            "password2": "Battery-Staple-77",
            "organisation_name": "",
            "uscc": "",
            "legal_representative": "",
        },
        **EN,
    )
    assert response.status_code == 302
    new = User.objects.get(email="wang.fang@example.cn")
    assert new.pk != wang_fang.pk and new.phone == "13812345678"


def test_completion_keeps_what_a_hold_covers_and_says_why(wang_fang, staff, hold):
    hold("sign_in_activity")
    request = cooled_off(file_online(wang_fang))
    services.privacy_request_complete(request=request, actor=staff)
    request.refresh_from_db()
    kept = request.outcomes.get(category="sign_in_activity")
    assert kept.result == RequestOutcome.Result.KEPT and "law" in kept.legal_reason
    assert "Sign-in activity" in request.answer
    assert request.outcomes.get(category="profile").result == RequestOutcome.Result.ANONYMISED
    assert not User.objects.get(pk=wang_fang.pk).is_active


def test_a_held_profile_keeps_the_identifiers_but_the_account_still_closes(wang_fang, staff, hold):
    hold("profile")
    request = cooled_off(file_online(wang_fang))
    services.privacy_request_complete(request=request, actor=staff)
    account = User.objects.get(pk=wang_fang.pk)
    assert not account.is_active and not account.has_usable_password()
    assert account.email == "wang.fang@example.cn"
    assert request.outcomes.get(category="profile").result == RequestOutcome.Result.KEPT


# -- Filed by customer service on the citizen's behalf ----------------------------------


def test_customer_service_files_on_behalf_after_a_phone_check(wang_fang, staff, django_capture_on_commit_callbacks):
    other_device = signed_in(wang_fang)
    with django_capture_on_commit_callbacks(execute=True):
        request = cancellation.cancellation_file_on_behalf(
            citizen=wang_fang,
            staff=staff,
            identity_check_note="Called back on the registered number; ID last 4 matched",
        )
    assert request.kind == RequestKind.CANCELLATION and request.requester == wang_fang
    assert (request.channel, request.filed_by) == (RequestChannel.PHONE, staff)
    assert request.identity_check_note.startswith("Called back")
    assert request.state == RequestState.IDENTITY_VERIFIED and request.cooling_off_until is not None
    assert request.events.filter(action="submitted", actor=staff).exists()
    assert AuditEvent.objects.filter(
        action="privacy_request.cancellation_cooling_off", actor_id=staff.pk, target_id=str(request.pk)
    ).exists()
    assert other_device.get("/account/identity/")["Location"].startswith("/accounts/login/")
    message = next(m for m in mail.outbox if m.subject.startswith("Your account cancellation"))
    assert "customer service filed the cancellation" in message.body and request.reference in message.body


@pytest.mark.parametrize("note", ["", "   "])
def test_on_behalf_filing_needs_the_identity_check_recorded(wang_fang, staff, note):
    with pytest.raises(TransitionNotAllowed):
        cancellation.cancellation_file_on_behalf(citizen=wang_fang, staff=staff, identity_check_note=note)
    assert not PrivacyRequest.objects.exists()


def test_only_staff_file_on_behalf(wang_fang):
    stranger = UserFactory()
    with pytest.raises(TransitionNotAllowed):
        cancellation.cancellation_file_on_behalf(citizen=wang_fang, staff=stranger, identity_check_note="checked")
    assert not PrivacyRequest.objects.exists()


def test_a_pending_material_policy_never_loops_with_the_reverse_page(wang_fang):
    from consents.models import PolicyVersion

    first = PolicyVersion.objects.get(version="2026.1")
    PolicyVersion.objects.create(
        version="2026.9",
        text_zh=first.text_zh,
        text_en=first.text_en,
        summary_zh="变更。",
        summary_en="A change.",
        material=True,
        published_at=timezone.now() - timedelta(days=10),
        effective_at=timezone.now() - timedelta(days=1),
    )
    User.objects.filter(pk=wang_fang.pk).update(date_joined=timezone.now() - timedelta(days=365))
    file_online(wang_fang)
    client = signed_in(wang_fang)
    address, seen = "/account/identity/", []
    for _ in range(4):
        response = client.get(address, **EN)
        if response.status_code == 200:
            break
        seen.append(address)
        address = response["Location"]
    assert response.status_code == 200, seen
    # Either the reverse page straight away, or the policy first and then the reverse page: never a loop.
    assert REVERSE in [*seen, address] or "accept" in address


def test_a_staff_answer_on_completion_is_kept_before_the_summary(wang_fang, staff):
    request = cooled_off(file_online(wang_fang))
    services.privacy_request_complete(request=request, actor=staff, answer="Thank you for using the portal.")
    request.refresh_from_db()
    assert request.answer.startswith("Thank you for using the portal.\n\n")
    assert request.answer.endswith("We deleted or anonymised all your data.")


def test_signing_in_with_the_password_during_cooling_off_lands_on_reverse(wang_fang):
    file_online(wang_fang)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "wang.fang@example.cn", "password": "Correct-Horse-42"}, follow=True, **EN
    )
    assert response.redirect_chain[-1][0] == REVERSE
    assert "Reverse the cancellation" in response.content.decode()
    assert "privacy_cancellation_clear" not in client.session


def test_a_clear_sign_in_is_remembered_so_pages_need_not_ask(wang_fang):
    client = Client()
    client.post("/accounts/login/", {"login": "wang.fang@example.cn", "password": "Correct-Horse-42"})
    assert client.session["privacy_cancellation_clear"] == wang_fang.pk
    with CaptureQueriesContext(connection) as queries:
        client.get("/account/identity/")
    assert not any("privacy_requests_privacyrequest" in q["sql"] for q in queries.captured_queries)


def test_completion_closes_the_persons_other_open_requests(wang_fang, staff):
    check = step_up_passed(wang_fang)
    access = services.privacy_request_create(
        requester=wang_fang, kind=RequestKind.ACCESS, details={"note": "my data"}, identity_check=check
    )
    request = cooled_off(file_online(wang_fang))
    services.privacy_request_complete(request=request, actor=staff)
    access.refresh_from_db()
    assert access.state == RequestState.WITHDRAWN
    # Closed, it was anonymised with the rest of the person's requests.
    assert access.requester_id is None and access.details == ""


def test_a_closed_account_cannot_be_cancelled_again_on_behalf(wang_fang, staff):
    User.objects.filter(pk=wang_fang.pk).update(is_active=False)
    wang_fang.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        cancellation.cancellation_file_on_behalf(citizen=wang_fang, staff=staff, identity_check_note="checked")
