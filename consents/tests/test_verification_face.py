"""Face verification to identity level 3: separate consent to the partner, the provider, and the level rules."""

import datetime
import json
import re

import pytest
from django.utils import timezone, translation

from accounts.identity import services as identity_services
from accounts.identity.selectors import identity_profile_for
from accounts.models import VerificationLevel
from audit.models import AuditEvent
from consents.models import ConsentEvent, Partner, PolicyDisplay, Purpose, StrongVerification
from consents.policy_shown import policy_shown_token
from consents.selectors import consent_check, policy_current
from consents.strong_verification import providers, services
from consents.strong_verification.selectors import face_consent_given
from consents.strong_verification.services import StrongVerificationError
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PASSES = "110101199003071073"  # the face sandbox passes any ending but 1 and 2
FAILS = "110101199003071081"
UNAVAILABLE = "110101199003071022"
Outcome = StrongVerification.Outcome


def at_level_two(id_number=PASSES, **user_fields):
    user = UserFactory(language="en", **user_fields)
    identity_services.sandbox_identity_ensure(legal_name="张三", id_number=id_number)
    identity_services.identity_verify(user=user, legal_name="张三", id_number=id_number)
    assert identity_profile_for(user=user).verification_level == VerificationLevel.IDENTITY_VERIFIED
    return user


def level(user):
    return identity_profile_for(user=user).verification_level


# -- Consent ------------------------------------------------------------------------------------------


def test_consent_covers_the_purpose_and_the_partner_together():
    user = at_level_two()
    assert not face_consent_given(user=user)
    services.face_consent_give(user=user)
    assert face_consent_given(user=user)
    events = ConsentEvent.objects.filter(subject=user).order_by("seq")
    assert [(e.purpose.code, e.partner.code if e.partner else None) for e in events] == [
        ("face_verification", None),
        ("face_verification", "face_provider"),
    ]
    services.face_consent_withdraw(user=user)
    assert not face_consent_given(user=user)
    partner = Partner.objects.get(code="face_provider")
    assert not consent_check(
        subject=user, purpose=Purpose.objects.get(code="face_verification"), partner=partner
    ).allowed


def test_no_face_check_without_consent():
    user = at_level_two()
    with pytest.raises(StrongVerificationError):
        services.face_check(user=user)
    assert not StrongVerification.objects.exists()


def test_purpose_alone_without_the_partner_is_not_enough():
    from consents.services import consent_grant

    user = at_level_two()
    consent_grant(subject=user, purpose=Purpose.objects.get(code="face_verification"))
    with pytest.raises(StrongVerificationError):
        services.face_check(user=user)


def test_expired_partner_agreement_stops_face_checks():
    user = at_level_two()
    services.face_consent_give(user=user)
    Partner.objects.filter(code="face_provider").update(
        agreement_expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with translation.override("en"), pytest.raises(StrongVerificationError) as refused:
        services.face_check(user=user)
    assert "another way" in str(refused.value)
    with translation.override("zh-hans"), pytest.raises(StrongVerificationError) as refused:
        services.face_check(user=user)
    assert "其他方式" in str(refused.value)


# -- The check ----------------------------------------------------------------------------------------


def test_a_pass_raises_level_two_to_three_and_keeps_only_result_time_reference():
    user = at_level_two()
    services.face_consent_give(user=user)
    check = services.face_check(user=user)
    assert check.outcome == Outcome.PASSED and check.method == StrongVerification.Method.FACE
    assert check.reference.startswith("face-sandbox-") and check.partner.code == "face_provider"
    assert level(user) == VerificationLevel.FACE_VERIFIED
    # Nothing but outcome, time, partner and reference: no image or template field exists to fill.
    stored = {f.name for f in StrongVerification._meta.get_fields()}
    assert stored == {"id", "user", "method", "outcome", "partner", "reference", "recorded_by", "created_at"}
    audit = AuditEvent.objects.get(action="identity.strong_verification")
    assert audit.details["level_raised"] is True and PASSES not in json.dumps(audit.details)


def test_a_fail_changes_nothing():
    user = at_level_two(FAILS)
    services.face_consent_give(user=user)
    assert services.face_check(user=user).outcome == Outcome.FAILED
    assert level(user) == VerificationLevel.IDENTITY_VERIFIED


def test_unavailable_is_recorded_and_loses_nothing():
    user = at_level_two(UNAVAILABLE)
    services.face_consent_give(user=user)
    assert services.face_check(user=user).outcome == Outcome.UNAVAILABLE
    assert level(user) == VerificationLevel.IDENTITY_VERIFIED
    assert face_consent_given(user=user)


@pytest.mark.parametrize(("answer", "outcome"), [("pass", Outcome.PASSED), ("fail", Outcome.FAILED)])
def test_the_sandbox_answer_can_be_forced_by_setting(settings, answer, outcome):
    settings.FACE_SANDBOX_ANSWER = answer
    user = at_level_two(UNAVAILABLE)
    services.face_consent_give(user=user)
    assert services.face_check(user=user).outcome == outcome


class BrokenProvider(providers.FaceProvider):
    def check_face(self, *, legal_name, id_number):
        raise RuntimeError("partner returned garbage")


def test_a_broken_provider_reads_as_unavailable(settings):
    settings.FACE_PROVIDER = f"{__name__}.BrokenProvider"
    user = at_level_two()
    services.face_consent_give(user=user)
    assert services.face_check(user=user).outcome == Outcome.UNAVAILABLE


def test_below_level_two_no_check_starts():
    user = UserFactory()
    with translation.override("en"), pytest.raises(StrongVerificationError) as refused:
        services.face_check(user=user)
    assert "level 2" in str(refused.value)
    with translation.override("zh-hans"), pytest.raises(StrongVerificationError) as refused:
        services.face_check(user=user)
    assert "第 2 级" in str(refused.value)


def test_daily_limit_counts_answered_checks_only(settings):
    settings.STRONG_VERIFICATION_DAILY_LIMIT = 2
    user = at_level_two(FAILS)
    services.face_consent_give(user=user)
    services.face_check(user=user)
    services.face_check(user=user)
    with pytest.raises(services.StrongVerificationThrottled):
        services.face_check(user=user)


# -- The pages ----------------------------------------------------------------------------------------


def test_consent_screen_is_behind_step_up_and_records_what_was_shown(client):
    user = at_level_two()
    client.force_login(user)
    page = client.get("/privacy/verification/face/consent/")
    assert page.status_code == 302 and page.url.startswith("/account/two-factor/step-up/")
    step_up_passed(user, client=client)
    page = client.get("/privacy/verification/face/consent/", **EN)
    html = page.content.decode()
    assert page.status_code == 200 and "GD-FR-2026-001" in html
    assert "No image of your face is stored by the portal." in html
    assert "a bank-card check or a visit to a service counter" in html
    # Showing the request writes nothing; consenting records it with both consents.
    assert not PolicyDisplay.objects.exists()
    client.post("/privacy/verification/face/consent/", {"shown": shown_token(html)})
    assert face_consent_given(user=user)
    shown = PolicyDisplay.objects.get()
    assert (shown.subject, shown.purpose.code, shown.context) == (
        user,
        "face_verification",
        PolicyDisplay.Context.CONSENT_REQUEST,
    )
    events = ConsentEvent.objects.filter(subject=user)
    assert events.count() == 2
    assert {event.policy_version for event in events} == {shown.policy_version} == {policy_current()}


def shown_token(html: str) -> str:
    return re.search(r'name="shown" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("whose", ["another person's", "another purpose's", "altered", "none"])
def test_a_face_consent_token_not_from_this_screen_records_no_display(client, whose):
    user = at_level_two()
    face, surveys = Purpose.objects.get(code="face_verification"), Purpose.objects.get(code="surveys")
    token = {
        "another person's": policy_shown_token(viewer=UserFactory(), purpose=face, version=policy_current()),
        "another purpose's": policy_shown_token(viewer=user, purpose=surveys, version=policy_current()),
        "altered": policy_shown_token(viewer=user, purpose=face, version=policy_current()) + "x",
        "none": "",
    }[whose]
    client.force_login(user)
    step_up_passed(user, client=client)
    client.post("/privacy/verification/face/consent/", {"shown": token})
    assert face_consent_given(user=user)
    assert not PolicyDisplay.objects.exists()


def test_consent_post_without_step_up_grants_nothing(client):
    user = at_level_two()
    client.force_login(user)
    assert client.post("/privacy/verification/face/consent/").status_code == 302
    assert not ConsentEvent.objects.filter(subject=user).exists()


def test_face_page_offers_every_way_and_the_start_button_after_consent(client):
    user = at_level_two()
    client.force_login(user)
    html = client.get("/privacy/verification/", **EN).content.decode()
    assert "Read and consent to face verification" in html
    assert "Bank-card check" in html and "any government service counter" in html and "resident ID card" in html
    assert 'data-testid="face-start"' not in html
    services.face_consent_give(user=user)
    html = client.get("/privacy/verification/", **EN).content.decode()
    assert 'data-testid="face-start"' in html and 'type="file"' not in html

    done = client.post("/privacy/verification/face/start/", follow=True, **EN)
    assert "now verified at level 3" in done.content.decode()
    assert level(user) == VerificationLevel.FACE_VERIFIED


def test_unavailable_says_try_later(client):
    user = at_level_two(UNAVAILABLE)
    services.face_consent_give(user=user)
    client.force_login(user)
    html = client.post("/privacy/verification/face/start/", follow=True, **EN).content.decode()
    assert "not available right now. Nothing was lost: please try again later" in html


def test_withdrawing_face_consent_is_one_click(client):
    user = at_level_two()
    services.face_consent_give(user=user)
    client.force_login(user)
    client.post("/privacy/verification/face/consent/withdraw/")
    assert not face_consent_given(user=user)


def test_pages_need_sign_in(client):
    for url in ("/privacy/verification/", "/privacy/verification/face/consent/"):
        assert client.get(url).status_code == 302
    for url in ("/privacy/verification/face/start/", "/privacy/verification/bank-card/start/"):
        assert client.post(url).status_code == 302
    assert not StrongVerification.objects.exists()


def test_a_refused_face_consent_records_no_display(client):
    user = at_level_two()
    client.force_login(user)
    step_up_passed(user, client=client)
    html = client.get("/privacy/verification/face/consent/").content.decode()
    # The partner's agreement ends while the screen is open.
    Partner.objects.filter(code="face_provider").update(agreement_expires_on=datetime.date(2020, 1, 1))
    answer = client.post("/privacy/verification/face/consent/", {"shown": shown_token(html)})
    assert answer.status_code == 400
    assert not face_consent_given(user=user)
    assert not ConsentEvent.objects.filter(subject=user).exists() and not PolicyDisplay.objects.exists()
