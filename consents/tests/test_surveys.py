"""Survey invitations: only to consenting citizens, each with a one-click link that withdraws the consent."""

import re
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from audit.models import AuditEvent
from consents.models import ConsentAction, ConsentEvent, ConsentState, SurveyInvitation
from consents.services import consent_grant, consent_withdraw
from consents.surveys import links, services
from consents.surveys.selectors import survey_purpose
from notifications.models import FanOutRecipient, InboxMessage, OutboxEmail
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/privacy/surveys/stop/(?P<token>[^/\s]+)/")


@pytest.fixture
def invitation(db):
    return SurveyInvitation.objects.create(
        title_zh="门户满意度调查",
        title_en="Portal satisfaction survey",
        text_zh="请用五分钟告诉我们您的使用感受。",
        text_en="Tell us in five minutes how the portal works for you.",
        survey_url="https://survey.example.cn/portal-2026",
    )


def _consenting(**fields):
    person = UserFactory(**fields)
    consent_grant(subject=person, purpose=survey_purpose())
    return person


def _send(invitation, officer, **run):
    services.survey_invitation_send(invitation=invitation, actor=officer)
    invitation.refresh_from_db()
    return services.survey_invitation_fan_out_run(invitation=invitation, **run)


def _token_for(person) -> str:
    match = LINK.search(InboxMessage.objects.get(recipient=person).body)
    assert match, "the invitation carries no withdrawal link"
    return match["token"]


def _granted(person) -> bool:
    return ConsentState.objects.get(subject=person, purpose=survey_purpose(), partner=None).granted


def test_only_citizens_whose_survey_consent_holds_are_invited(invitation, officer):
    english, chinese = _consenting(language="en"), _consenting(language="zh-hans")
    never = UserFactory()
    withdrew = _consenting()
    consent_withdraw(subject=withdrew, purpose=survey_purpose())
    staff_member = StaffFactory()
    consent_grant(subject=staff_member, purpose=survey_purpose())

    assert _send(invitation, officer) == 2

    assert set(InboxMessage.objects.values_list("recipient", flat=True)) == {english.pk, chinese.pk}
    assert set(OutboxEmail.objects.values_list("recipient", flat=True)) == {english.pk, chinese.pk}
    english_mail = OutboxEmail.objects.get(recipient=english)
    assert "Portal satisfaction survey" in english_mail.subject
    assert "https://survey.example.cn/portal-2026" in english_mail.body
    assert "门户满意度调查" in OutboxEmail.objects.get(recipient=chinese).subject
    assert never.pk not in FanOutRecipient.objects.values_list("user", flat=True)
    # Each copy carries its reader's own link, in the email as in the inbox.
    assert _token_for(english) != _token_for(chinese)
    assert _token_for(english) in english_mail.body
    assert AuditEvent.objects.filter(action="survey.invitation_sent", target_id=str(invitation.pk)).exists()


def test_sending_again_or_rerunning_tells_nobody_twice(invitation, officer):
    people = [_consenting() for _ in range(5)]

    assert _send(invitation, officer, batch_size=2) == 5
    assert _send(invitation, officer) == 0
    invitation.fan_out.finished_at = None
    invitation.fan_out.cursor = 0
    invitation.fan_out.save(update_fields=["finished_at", "cursor"])
    assert services.survey_invitation_fan_out_run(invitation=invitation) == 0

    assert InboxMessage.objects.count() == len(people)


def test_only_officers_may_send(invitation, customer_service):
    with pytest.raises(services.PermissionDenied):
        services.survey_invitation_send(invitation=invitation, actor=customer_service)
    invitation.refresh_from_db()
    assert invitation.fan_out_id is None


def test_the_admin_action_sends_and_the_text_is_fixed_afterwards(
    invitation, officer, verified_client, django_capture_on_commit_callbacks
):
    person = _consenting()
    client = verified_client(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:consents_surveyinvitation_changelist"),
            {"action": "send", "_selected_action": [invitation.pk]},
        )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.fan_out is not None
    assert InboxMessage.objects.filter(recipient=person).count() == 1
    invitation.title_en = "Changed"
    with pytest.raises(services.ValidationError):
        services.survey_invitation_save(invitation=invitation, actor=officer, created=False)


def test_the_link_asks_first_then_withdraws_through_the_ledger(invitation, officer, client):
    person = _consenting()
    _send(invitation, officer)
    url = reverse("consents:survey_withdraw", args=[_token_for(person)])
    events = ConsentEvent.objects.filter(subject=person).count()

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'data-testid="survey-withdraw-confirm"' in page.content.decode()
    assert _granted(person), "opening the link (a mail scanner may) must change nothing"

    done = client.post(url, HTTP_ACCEPT_LANGUAGE="en")

    assert done.status_code == 200
    assert 'data-testid="survey-withdrawn"' in done.content.decode()
    assert not _granted(person)
    withdrawal = ConsentEvent.objects.filter(subject=person).latest("seq")
    assert withdrawal.action == ConsentAction.WITHDRAWN
    assert withdrawal.purpose.code == "surveys"
    assert ConsentEvent.objects.filter(subject=person).count() == events + 1
    assert AuditEvent.objects.filter(action="consent.withdrawn", target_id=str(person.pk)).exists()


def test_a_used_link_says_already_withdrawn_and_changes_nothing(invitation, officer, client):
    person = _consenting()
    _send(invitation, officer)
    url = reverse("consents:survey_withdraw", args=[_token_for(person)])
    client.post(url)
    events = ConsentEvent.objects.filter(subject=person).count()

    for response in (client.get(url, HTTP_ACCEPT_LANGUAGE="en"), client.post(url, HTTP_ACCEPT_LANGUAGE="en")):
        assert response.status_code == 200
        assert 'data-testid="survey-already-withdrawn"' in response.content.decode()
    assert ConsentEvent.objects.filter(subject=person).count() == events


def test_a_replayed_link_cannot_withdraw_a_consent_given_again_later(invitation, officer, client):
    person = _consenting()
    _send(invitation, officer)
    url = reverse("consents:survey_withdraw", args=[_token_for(person)])
    client.post(url)
    consent_grant(subject=person, purpose=survey_purpose())
    events = ConsentEvent.objects.filter(subject=person).count()

    response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 410
    assert _granted(person)
    assert ConsentEvent.objects.filter(subject=person).count() == events


def _signed(payload, salt=links.SALT) -> str:
    return signing.dumps(payload, salt=salt, compress=True)


@pytest.mark.parametrize(
    ("make_token", "status"),
    [
        (lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), 400),
        (lambda token: "not-a-signed-value", 400),
        (lambda token: _signed({"s": 1, "p": "surveys", "e": 1}, salt="another.salt"), 400),
        (lambda token: _signed({"s": 1, "p": "marketing", "e": 1}), 400),
        (lambda token: _signed({"subject": 1}), 400),
    ],
    ids=["tampered", "unsigned", "other-salt", "other-purpose", "malformed"],
)
def test_bad_links_are_refused_and_change_nothing(invitation, officer, client, make_token, status):
    person = _consenting()
    _send(invitation, officer)
    events = ConsentEvent.objects.count()
    url = reverse("consents:survey_withdraw", args=[make_token(_token_for(person))])

    for response in (client.get(url, HTTP_ACCEPT_LANGUAGE="en"), client.post(url, HTTP_ACCEPT_LANGUAGE="en")):
        assert response.status_code == status
        assert 'data-testid="survey-link-invalid"' in response.content.decode()
    assert _granted(person)
    assert ConsentEvent.objects.count() == events


def test_another_persons_id_in_a_forged_payload_is_refused(invitation, officer, client):
    victim = _consenting()
    _send(invitation, officer)
    token = _token_for(victim)
    payload, signature = token.rsplit(":", 1)

    response = client.post(reverse("consents:survey_withdraw", args=[f"{payload}x:{signature}"]))

    assert response.status_code == 400
    assert _granted(victim)


def test_an_expired_link_is_refused(invitation, officer, client):
    person = _consenting()
    _send(invitation, officer)
    url = reverse("consents:survey_withdraw", args=[_token_for(person)])
    later = links.MAX_AGE.total_seconds() + 60

    with mock.patch("django.core.signing.time.time", return_value=__import__("time").time() + later):
        response = client.post(url, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert _granted(person)


def test_a_sent_invitation_is_read_only_in_admin(invitation, officer, verified_client):
    _send(invitation, officer)
    client = verified_client(officer)
    url = reverse("admin:consents_surveyinvitation_change", args=[invitation.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"title_zh": "改", "title_en": "Changed", "text_zh": "x", "text_en": "x"})

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.title_en == "Portal satisfaction survey"
