"""Guardians of minors' accounts: link, confirm with a code, end; who may act for whom."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.identity import guardians, selectors, services
from accounts.models import GuardianLink
from audit.models import AuditEvent
from notifications.models import InboxMessage
from privacy_portal.demo import demo_id_number
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GUARDIAN_ID = ("张三", "110101199003071233")
CHILD_ID = demo_id_number("110101", f"{timezone.localdate().year - 10}0101", "128")
PAGE = reverse("accounts:identity_guardians")
REQUEST_URL = reverse("accounts:identity_guardian_request")


def _confirm_url(link):
    return reverse("accounts:identity_guardian_confirm", args=[link.pk])


def _end_url(link):
    return reverse("accounts:identity_guardian_end", args=[link.pk])


@pytest.fixture
def guardian():
    user = UserFactory(username="parent", language="en")
    services.sandbox_identity_ensure(legal_name=GUARDIAN_ID[0], id_number=GUARDIAN_ID[1])
    result = services.identity_verify(user=user, legal_name=GUARDIAN_ID[0], id_number=GUARDIAN_ID[1])
    assert result.matched
    return user


@pytest.fixture
def child():
    user = UserFactory(username="child", language="en")
    services.identity_profile_update(user=user, data={"legal_name": "张小明", "id_number": CHILD_ID})
    user.refresh_from_db()
    assert user.is_minor
    return user


def _code_sent_to(user) -> str:
    message = InboxMessage.objects.filter(recipient=user, kind="guardian_link_requested").order_by("-pk").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _request(guardian, identifier, capture):
    with capture(execute=True):
        return guardians.guardian_link_request(guardian=guardian, identifier=identifier)


def test_guardian_links_by_email_and_the_child_confirms_with_the_code(
    guardian, child, client, django_capture_on_commit_callbacks
):
    link = _request(guardian, "CHILD@example.cn", django_capture_on_commit_callbacks)
    assert link.state == GuardianLink.State.PENDING
    code = _code_sent_to(child)
    # The code reaches the child's account by email too, and is stored only hashed.
    assert any(code in email.body and email.to == [child.email] for email in mail.outbox)
    link.refresh_from_db()
    assert code not in link.code_hash and link.code_hash
    assert "张三" in InboxMessage.objects.get(recipient=child, kind="guardian_link_requested").body
    assert selectors.guardian_of(minor=child) is None
    assert not selectors.can_act_for(actor=guardian, subject=child)

    client.force_login(child)
    page = client.get(PAGE).content.decode()
    assert "张三" in page and "Confirm this guardian" in page
    response = client.post(_confirm_url(link), {f"link{link.pk}-code": code}, follow=True)
    assert "The guardian link is confirmed." in response.content.decode()

    link.refresh_from_db()
    assert link.state == GuardianLink.State.CONFIRMED and link.confirmed_at and not link.code_hash
    assert selectors.guardian_of(minor=child) == guardian
    assert selectors.can_act_for(actor=guardian, subject=child)
    assert not selectors.can_act_for(actor=UserFactory(), subject=child)
    assert InboxMessage.objects.filter(recipient=guardian, kind="guardian_link_confirmed").exists()
    assert list(
        AuditEvent.objects.filter(target_type="accounts.guardianlink", target_id=str(link.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    ) == [
        "guardian.link_requested",
        "guardian.link_confirmed",
    ]


def test_guardian_links_by_id_number_through_the_page(guardian, child, client):
    client.force_login(guardian)
    response = client.post(REQUEST_URL, {"identifier": CHILD_ID.lower()}, follow=True)
    assert "A confirmation code was sent" in response.content.decode()
    link = GuardianLink.objects.get(guardian=guardian, minor=child)
    assert link.state == GuardianLink.State.PENDING
    # Until confirmed, the guardian sees the child's email only masked.
    assert "c***@example.cn" in response.content.decode()
    assert "child@example.cn" not in response.content.decode()


def test_a_wrong_code_counts_and_five_wrong_codes_use_it_up(guardian, child, client, settings):
    link = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    code = _code_sent_to(child)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    client.force_login(child)
    response = client.post(_confirm_url(link), {f"link{link.pk}-code": wrong})
    assert response.status_code == 400
    assert "The code is not correct. Tries left: 4." in response.content.decode()
    for _ in range(settings.GUARDIAN_CODE_MAX_ATTEMPTS - 1):
        with pytest.raises(ValidationError):
            guardians.guardian_link_confirm(minor=child, link=link, code=wrong)
    link.refresh_from_db()
    assert link.code_attempts == 5
    with pytest.raises(ValidationError) as caught:
        guardians.guardian_link_confirm(minor=child, link=link, code=code)
    assert "tried too many times" in caught.value.message_dict["code"][0]
    assert link.state == GuardianLink.State.PENDING
    assert AuditEvent.objects.filter(action="guardian.code_failed").count() == 5


def test_an_expired_code_is_refused_and_a_new_one_works(guardian, child):
    link = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    code = _code_sent_to(child)
    # Eleven minutes later (the code lives ten).
    GuardianLink.objects.filter(pk=link.pk).update(code_expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as caught:
        guardians.guardian_link_confirm(minor=child, link=link, code=code)
    assert "expired" in caught.value.message_dict["code"][0]

    guardians.guardian_link_code_resend(guardian=guardian, link=link)
    new_code = _code_sent_to(child)
    link = guardians.guardian_link_confirm(minor=child, link=link, code=new_code)
    assert link.state == GuardianLink.State.CONFIRMED


def test_a_new_code_is_not_sent_twice_within_a_minute(guardian, child):
    link = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    with pytest.raises(ValidationError):
        guardians.guardian_link_code_resend(guardian=guardian, link=link)
    # Asking again through the form does not send another code either.
    assert guardians.guardian_link_request(guardian=guardian, identifier=child.email) == link
    assert InboxMessage.objects.filter(recipient=child, kind="guardian_link_requested").count() == 1


def test_a_guardian_without_a_verified_identity_is_refused(child, client):
    unverified = UserFactory(language="en")
    with pytest.raises(guardians.GuardianNotEligible):
        guardians.guardian_link_request(guardian=unverified, identifier=child.email)
    client.force_login(unverified)
    page = client.get(PAGE).content.decode()
    assert "first verify your own identity" in page
    response = client.post(REQUEST_URL, {"identifier": child.email}, follow=True)
    assert "only an identity-verified adult can be a guardian" in response.content.decode()
    assert not GuardianLink.objects.exists()
    assert not InboxMessage.objects.filter(recipient=child, kind="guardian_link_requested").exists()


def test_a_minor_cannot_be_a_guardian(child):
    other_child = UserFactory()
    services.identity_profile_update(user=other_child, data={"id_number": demo_id_number("440106", "20180505", "111")})
    assert not guardians.guardian_eligible(user=child)
    with pytest.raises(guardians.GuardianNotEligible):
        guardians.guardian_link_request(guardian=child, identifier=other_child.email)


def test_an_adult_or_unknown_account_gets_the_same_neutral_answer(guardian, client):
    adult = UserFactory(username="grownup")
    services.identity_profile_update(user=adult, data={"id_number": "440106198506123457"})
    client.force_login(guardian)
    answers = []
    for identifier in (adult.email, "nobody@example.cn", "440106198506123457", "31010119780923567X"):
        response = client.post(REQUEST_URL, {"identifier": identifier}, follow=True)
        answers.append(re.search(r'<li class="message[^"]*">(.*?)</li>', response.content.decode()).group(1))
    assert len(set(answers)) == 1
    assert "No confirmation code was sent" in answers[0]
    assert not GuardianLink.objects.exists()
    assert not InboxMessage.objects.filter(kind="guardian_link_requested").exists()


def test_a_malformed_id_number_is_a_field_error(guardian, client):
    client.force_login(guardian)
    response = client.post(REQUEST_URL, {"identifier": "110101199003071234"})
    assert response.status_code == 400
    assert "resident ID number is not valid" in response.content.decode()


def test_either_side_can_end_the_link(guardian, child, client):
    link = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    link = guardians.guardian_link_confirm(minor=child, link=link, code=_code_sent_to(child))
    client.force_login(guardian)
    client.post(_end_url(link))
    link.refresh_from_db()
    assert link.state == GuardianLink.State.REVOKED and link.ended_at
    assert not selectors.can_act_for(actor=guardian, subject=child)
    assert selectors.guardian_of(minor=child) is None
    assert InboxMessage.objects.filter(recipient=child, kind="guardian_link_ended").exists()

    # Linked again, and this time the child ends it.
    again = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    assert again.pk != link.pk
    guardians.guardian_link_confirm(minor=child, link=again, code=_code_sent_to(child))
    client.force_login(child)
    client.post(_end_url(again))
    again.refresh_from_db()
    assert again.state == GuardianLink.State.REVOKED
    assert InboxMessage.objects.filter(recipient=guardian, kind="guardian_link_ended").exists()


def test_nobody_else_can_confirm_or_end_a_link(guardian, child, client):
    link = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    code = _code_sent_to(child)
    client.force_login(UserFactory())
    assert client.post(_confirm_url(link), {f"link{link.pk}-code": code}).status_code == 404
    assert client.post(_end_url(link)).status_code == 404
    assert client.post(reverse("accounts:identity_guardian_resend", args=[link.pk])).status_code == 404
    # The guardian cannot confirm on the child's behalf, even holding the code.
    client.force_login(guardian)
    assert client.post(_confirm_url(link), {f"link{link.pk}-code": code}).status_code == 404
    link.refresh_from_db()
    assert link.state == GuardianLink.State.PENDING


def test_the_guardian_pages_need_posts_for_changes(guardian, child, client):
    link = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    client.force_login(guardian)
    assert client.get(_end_url(link)).status_code == 405
    link.refresh_from_db()
    assert link.state == GuardianLink.State.PENDING


def test_guardianship_lapses_on_the_14th_birthday(guardian, child, monkeypatch):
    link = guardians.guardian_link_request(guardian=guardian, identifier=child.email)
    guardians.guardian_link_confirm(minor=child, link=link, code=_code_sent_to(child))
    assert selectors.can_act_for(actor=guardian, subject=child)
    from accounts import validators

    birth = selectors.identity_profile_for(user=child).birth_date
    monkeypatch.setattr(validators, "_today", lambda: birth.replace(year=birth.year + 14))
    assert not selectors.can_act_for(actor=guardian, subject=child)
    assert selectors.guardian_of(minor=child) is None
    assert selectors.can_act_for(actor=child, subject=child)


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_guardians_page_lists_links_in_a_fixed_number_of_queries(guardian, client):
    client.force_login(guardian)
    client.get(PAGE)  # the first request of a session records it (usersessions)
    counts = []
    for n in range(3):
        child = UserFactory(username=f"kid{n}")
        services.identity_profile_update(user=child, data={"id_number": demo_id_number("110101", "20160101", f"12{n}")})
        guardians.guardian_link_request(guardian=guardian, identifier=child.email)
        counts.append(_queries_for(client, PAGE))
    assert counts[0] == counts[1] == counts[2], "one query per list, not one per link"
    assert client.get(PAGE).content.decode().count("Send a new code") == 3

    other_guardian = UserFactory(username="aunt")
    services.sandbox_identity_ensure(legal_name="李四", id_number="440106198506123457")
    services.identity_verify(user=other_guardian, legal_name="李四", id_number="440106198506123457")
    client.force_login(child)
    client.get(PAGE)
    one = _queries_for(client, PAGE)
    guardians.guardian_link_request(guardian=other_guardian, identifier=child.email)
    assert _queries_for(client, PAGE) == one
    assert "李四" in client.get(PAGE).content.decode()
