"""The citizen's consent dashboard: one-click choices, confirmations, what was shown, minors and guardians."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from accounts.models import GuardianLink, StepUpCheck
from consents import services
from consents.models import (
    ConsentChannel,
    ConsentEvent,
    ConsentState,
    DataCategory,
    Partner,
    PolicyDisplay,
    PolicyVersion,
    Purpose,
)
from consents.policy_shown import policy_shown_token
from consents.selectors import consent_check, policy_current
from tests.factories import GuardianLinkFactory, UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def purpose(code):
    return Purpose.objects.get(code=code)


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def shown_token(page) -> str:
    """The token of what was shown, as the page's forms carry it."""
    token = page.context["shown"]
    assert f'name="shown" value="{token}"' in page.content.decode()
    return token


def displays(user):
    return PolicyDisplay.objects.filter(subject=user)


def state(user, code, partner=None):
    return ConsentState.objects.filter(subject=user, purpose__code=code, partner__code=partner).first()


@pytest.fixture
def health():
    """A sensitive purpose decided in the purpose list itself (the catalogue's sensitive ones all have panels)."""
    category = DataCategory.objects.create(code="health", name_zh="健康信息", name_en="Health data", sensitive=True)
    created = Purpose.objects.create(
        code="health_reminders",
        name_zh="健康提醒",
        name_en="Health reminders",
        description_zh="提醒您参加体检。",
        description_en="Reminding you of health check-ups.",
        kind="optional",
        sensitive=True,
        legal_basis="consent",
        display_order=300,
    )
    created.data_categories.set([category])
    return created


def test_dashboard_needs_sign_in(client):
    page = client.get("/privacy/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_dashboard_lists_every_purpose_with_state_data_and_partners(health, signed_in, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    services.consent_withdraw(subject=citizen, purpose=purpose("service_optimisation"))
    page = signed_in.get("/privacy/", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    rows = {row.purpose.code: row for row in page.context["rows"]}
    assert set(rows) == set(Purpose.objects.filter(active=True).values_list("code", flat=True))
    assert rows["service_provision"].state == "basic"
    assert rows["surveys"].state == "granted"
    assert rows["service_optimisation"].state == "withdrawn"
    assert rows["personal_settings"].state == "not_decided"
    # Basic purposes: collapsed, each with why it is needed and its legal basis.
    basic = html.split('<details class="dash-basic" data-testid="basic-purposes">', 1)[1].split("</details>", 1)[0]
    assert "Needed to open and keep your account" in basic and "Legal basis: Contract" in basic
    assert 'id="purpose-service_provision"' in basic and 'id="purpose-surveys"' not in basic
    assert "Survey supplier (sandbox)" in html and "GD-SV-2026-011" in html  # partner and its agreement
    assert "under policy version 2026.1" in html
    assert 'action="/privacy/consent/surveys/withdraw/"' in html
    assert 'action="/privacy/consent/personal_settings/grant/"' in html
    # A sensitive purpose never gets a one-click grant, only the confirmation screen.
    assert 'href="/privacy/consent/health_reminders/confirm/"' in html
    assert "/privacy/consent/health_reminders/grant/" not in html
    assert 'action="/privacy/consent/health_reminders/withdraw/"' not in html  # not granted yet
    # Purposes whose switch lives in a panel link to it, with no switch of their own here.
    assert 'href="#panel-services"' in html and 'href="#panel-cookies"' in html and 'href="#panel-location"' in html
    assert "/privacy/consent/location_services/" not in html
    assert "/privacy/consent/face_verification/" not in html
    for panel in ("location", "cookies", "interests", "services", "verification"):
        assert f'id="panel-{panel}"' in html


def test_one_click_withdraw_is_effective_at_once_without_step_up(signed_in, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    page = signed_in.get("/privacy/", **EN)
    answer = signed_in.post("/privacy/consent/surveys/withdraw/", {"shown": shown_token(page)}, follow=True, **EN)
    assert answer.redirect_chain[-1][0] == "/privacy/#purpose-surveys"
    assert "Consent to “Survey invitations” is withdrawn. This applies now." in answer.content.decode()
    assert consent_check(subject=citizen, purpose=purpose("surveys")).allowed is False
    event = ConsentEvent.objects.filter(subject=citizen).first()
    assert (event.action, event.channel, event.actor_id) == ("withdrawn", "web", citizen.pk)
    assert not StepUpCheck.objects.filter(user=citizen).exists()


def test_withdrawing_a_purpose_also_stops_its_partner_sharing(signed_in, citizen):
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=Partner.objects.get(code="survey_partner"))
    signed_in.post("/privacy/consent/surveys/withdraw/")
    assert state(citizen, "surveys", "survey_partner").granted is False


def test_one_click_grant_ties_the_consent_to_the_policy_shown_on_the_dashboard(signed_in, citizen):
    page = signed_in.get("/privacy/", **EN)
    # Showing the dashboard writes nothing; the choice records what it showed.
    assert not displays(citizen).exists()
    answer = signed_in.post(
        "/privacy/consent/personal_settings/grant/", {"shown": shown_token(page)}, follow=True, **EN
    )
    assert "You agreed to “Personal settings”. This applies now." in answer.content.decode()
    display = displays(citizen).get()
    assert (display.subject, display.context, display.purpose, display.policy_version.version) == (
        citizen,
        "consent_request",
        None,
        "2026.1",
    )
    current = state(citizen, "personal_settings")
    assert current.granted and current.channel == "web" and current.policy_version == display.policy_version
    assert ConsentEvent.objects.get(subject=citizen).policy_version == display.policy_version


def test_one_click_withdraw_records_the_dashboard_it_was_chosen_on(signed_in, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    page = signed_in.get("/privacy/")
    assert not displays(citizen).exists()
    signed_in.post("/privacy/consent/surveys/withdraw/", {"shown": shown_token(page)})
    display = displays(citizen).get()
    assert (display.purpose, display.policy_version.version) == (None, "2026.1")
    withdrawn = ConsentEvent.objects.filter(subject=citizen, action="withdrawn").get()
    assert withdrawn.policy_version == display.policy_version


def test_a_refused_choice_records_no_display(signed_in, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    step_up_passed(citizen, client=signed_in)
    url = "/privacy/consent/surveys/partner/survey_partner/confirm/"
    page = signed_in.get(url)
    # The agreement ends while the screen is open: the grant is refused, and so is its display.
    Partner.objects.filter(code="survey_partner").update(agreement_expires_on=datetime.date(2020, 1, 1))
    answer = signed_in.post(url, {"shown": shown_token(page)}, follow=True, **EN)
    assert "agreement has expired" in answer.content.decode()
    assert state(citizen, "surveys", "survey_partner") is None
    assert not displays(citizen).exists()


def test_grant_uses_the_version_shown_not_a_newer_one(signed_in, citizen):
    page = signed_in.get("/privacy/")
    now = timezone.now()
    PolicyVersion.objects.create(
        version="2026.2",
        text_zh="新",
        text_en="new",
        published_at=now - datetime.timedelta(minutes=1),
        effective_at=now - datetime.timedelta(seconds=1),
    )
    signed_in.post("/privacy/consent/personal_settings/grant/", {"shown": shown_token(page)})
    assert state(citizen, "personal_settings").policy_version.version == "2026.1"


@pytest.mark.parametrize("whose", ["another person's", "a confirmation screen's", "altered"])
def test_a_token_not_from_this_dashboard_records_no_display(signed_in, citizen, whose):
    shown = PolicyVersion.objects.get(version="2026.1")
    token = {
        "another person's": policy_shown_token(viewer=UserFactory(), purpose=None, version=shown),
        "a confirmation screen's": policy_shown_token(viewer=citizen, purpose=purpose("surveys"), version=shown),
        "altered": policy_shown_token(viewer=citizen, purpose=None, version=shown) + "x",
    }[whose]
    now = timezone.now()
    PolicyVersion.objects.create(
        version="2026.2",
        text_zh="新",
        text_en="new",
        published_at=now,
        effective_at=now - datetime.timedelta(seconds=1),
    )
    signed_in.post("/privacy/consent/personal_settings/grant/", {"shown": token})
    # Falls back to the policy in effect, not the version the token names.
    assert state(citizen, "personal_settings").policy_version.version == "2026.2"
    assert not displays(citizen).exists()


def test_grant_and_withdraw_are_post_only_and_need_csrf(citizen):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    assert browser.get("/privacy/consent/surveys/grant/").status_code == 405
    assert browser.post("/privacy/consent/surveys/grant/").status_code == 403
    assert not ConsentEvent.objects.filter(subject=citizen).exists()


def test_unknown_purpose_is_404_and_basic_purpose_cannot_be_withdrawn(signed_in, citizen):
    assert signed_in.post("/privacy/consent/no_such_thing/withdraw/").status_code == 404
    answer = signed_in.post("/privacy/consent/security/withdraw/", follow=True, **EN)
    assert "needed to provide the service" in answer.content.decode()
    assert not ConsentEvent.objects.filter(subject=citizen).exists()


def test_panel_purposes_are_changed_in_their_panel(signed_in, citizen):
    answer = signed_in.post("/privacy/consent/service_taxation/grant/", follow=True, **EN)
    assert answer.redirect_chain[-1][0] == "/privacy/#panel-services"
    assert "in the “Optional services” section" in answer.content.decode()
    assert signed_in.post("/privacy/consent/location_services/withdraw/")["Location"] == "/privacy/#panel-location"
    assert (
        signed_in.post("/privacy/consent/face_verification/partner/face_provider/withdraw/")["Location"]
        == "/privacy/#panel-verification"
    )
    assert not ConsentEvent.objects.filter(subject=citizen).exists()


def test_sensitive_grant_from_the_list_goes_to_the_confirmation(health, signed_in, citizen):
    answer = signed_in.post("/privacy/consent/health_reminders/grant/")
    assert answer["Location"] == "/privacy/consent/health_reminders/confirm/"
    assert not ConsentEvent.objects.filter(subject=citizen).exists()


def test_sensitive_purpose_needs_step_up_then_confirmation(health, signed_in, citizen):
    confirm_url = "/privacy/consent/health_reminders/confirm/"
    first = signed_in.get(confirm_url)
    assert first.status_code == 302
    assert first["Location"].startswith("/account/two-factor/step-up/?next=%2Fprivacy%2Fconsent%2Fhealth_reminders")
    assert not PolicyDisplay.objects.filter(subject=citizen, purpose__code="health_reminders").exists()

    step_up_passed(citizen, client=signed_in)
    page = signed_in.get(confirm_url, **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Agree to “Health reminders”?" in html
    assert "Health data (sensitive personal information)" in html
    assert 'href="/policy/2026.1/"' in html
    # Showing is not agreeing, and writes nothing.
    assert not ConsentEvent.objects.filter(subject=citizen).exists()
    assert not displays(citizen).exists()

    answer = signed_in.post(confirm_url, {"shown": shown_token(page)}, follow=True, **EN)
    assert "You agreed to “Health reminders”. This applies now." in answer.content.decode()
    assert consent_check(subject=citizen, purpose=purpose("health_reminders")).allowed
    display = displays(citizen).get()
    assert display.purpose.code == "health_reminders" and display.context == "consent_request"
    assert display.policy_version == policy_current()
    assert ConsentEvent.objects.get(subject=citizen).policy_version == display.policy_version
    assert state(citizen, "health_reminders").policy_version == display.policy_version


@pytest.mark.parametrize("whose", ["another person's", "another purpose's", "the dashboard's", "altered"])
def test_a_confirmation_token_not_from_this_screen_grants_nothing_and_records_no_display(
    health, signed_in, citizen, whose
):
    shown = policy_current()
    token = {
        "another person's": policy_shown_token(viewer=UserFactory(), purpose=health, version=shown),
        "another purpose's": policy_shown_token(viewer=citizen, purpose=purpose("surveys"), version=shown),
        "the dashboard's": policy_shown_token(viewer=citizen, purpose=None, version=shown),
        "altered": policy_shown_token(viewer=citizen, purpose=health, version=shown) + "x",
    }[whose]
    step_up_passed(citizen, client=signed_in)
    answer = signed_in.post("/privacy/consent/health_reminders/confirm/", {"shown": token})
    assert answer["Location"] == "/privacy/consent/health_reminders/confirm/"
    assert not ConsentEvent.objects.filter(subject=citizen).exists()
    assert not displays(citizen).exists()


def test_confirmation_post_without_the_shown_request_grants_nothing(health, signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    answer = signed_in.post("/privacy/consent/health_reminders/confirm/", {"shown": ""})
    assert answer.status_code == 302 and answer["Location"] == "/privacy/consent/health_reminders/confirm/"
    # The dashboard's display (purpose None) does not stand in for the confirmation either.
    dashboard = signed_in.get("/privacy/")
    signed_in.post("/privacy/consent/health_reminders/confirm/", {"shown": shown_token(dashboard)})
    assert not ConsentEvent.objects.filter(subject=citizen).exists()
    assert not displays(citizen).exists()


def test_stale_step_up_is_not_enough(health, signed_in, citizen):
    check = step_up_passed(citizen, client=signed_in)
    StepUpCheck.objects.filter(pk=check.pk).update(verified_at=timezone.now() - datetime.timedelta(minutes=11))
    assert signed_in.get("/privacy/consent/health_reminders/confirm/").status_code == 302


def test_withdrawing_a_sensitive_purpose_is_one_click_without_step_up(health, signed_in, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("health_reminders"))
    answer = signed_in.post("/privacy/consent/health_reminders/withdraw/")
    assert answer.status_code == 302 and answer["Location"] == "/privacy/#purpose-health_reminders"
    assert state(citizen, "health_reminders").granted is False


def test_non_sensitive_purpose_has_no_confirmation_screen(signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    assert signed_in.get("/privacy/consent/surveys/confirm/").status_code == 404
    assert signed_in.get("/privacy/consent/service_provision/partner/sms_gateway/confirm/").status_code == 404
    # Panel purposes have their own confirmation screens.
    assert signed_in.get("/privacy/consent/location_services/confirm/").status_code == 404
    assert signed_in.get("/privacy/consent/face_verification/partner/face_provider/confirm/").status_code == 404


def test_partner_sharing_goes_through_its_own_confirmation(signed_in, citizen):
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    url = "/privacy/consent/surveys/partner/survey_partner/confirm/"
    assert signed_in.get(url).status_code == 302  # step-up first
    step_up_passed(citizen, client=signed_in)
    page = signed_in.get(url, **EN)
    html = page.content.decode()
    assert "Share data with Survey supplier (sandbox)?" in html
    assert "GD-SV-2026-011" in html and "Contact details" in html
    assert not displays(citizen).exists()  # showing the screen writes nothing
    signed_in.post(url, {"shown": shown_token(page)})
    assert consent_check(subject=citizen, purpose=surveys, partner=Partner.objects.get(code="survey_partner")).allowed
    sharing = state(citizen, "surveys", "survey_partner")
    display = displays(citizen).get()
    assert (display.purpose, display.context) == (surveys, "consent_request")
    assert sharing.channel == "web" and sharing.policy_version == display.policy_version == policy_current()
    assert ConsentEvent.objects.get(subject=citizen, partner__code="survey_partner").policy_version == (
        display.policy_version
    )

    # Stopping the sharing is one click, no step-up needed even when the check has expired.
    StepUpCheck.objects.filter(user=citizen).update(verified_at=timezone.now() - datetime.timedelta(hours=1))
    signed_in.post("/privacy/consent/surveys/partner/survey_partner/withdraw/")
    assert state(citizen, "surveys", "survey_partner").granted is False
    assert state(citizen, "surveys").granted is True


def test_partner_confirmation_refuses_until_the_purpose_is_granted(signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    page = signed_in.get("/privacy/consent/surveys/partner/survey_partner/confirm/", **EN)
    assert "give consent to that use first" in page.content.decode()
    assert page.context["can_confirm"] is False
    assert 'data-testid="confirm-grant"' not in page.content.decode()


def test_partner_with_an_expired_agreement_cannot_be_chosen(signed_in, citizen):
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    Partner.objects.filter(code="survey_partner").update(agreement_expires_on=datetime.date(2020, 1, 1))
    html = signed_in.get("/privacy/", **EN).content.decode()
    assert "expired on" in html and "/privacy/consent/surveys/partner/survey_partner/confirm/" not in html
    step_up_passed(citizen, client=signed_in)
    page = signed_in.get("/privacy/consent/surveys/partner/survey_partner/confirm/", **EN)
    assert page.context["can_confirm"] is False
    signed_in.post("/privacy/consent/surveys/partner/survey_partner/confirm/", {"shown": "1"})
    assert state(citizen, "surveys", "survey_partner") is None


def test_unknown_partner_or_partner_of_another_purpose_is_404(signed_in, citizen):
    step_up_passed(citizen, client=signed_in)
    assert signed_in.get("/privacy/consent/surveys/partner/nobody/confirm/").status_code == 404
    assert signed_in.get("/privacy/consent/surveys/partner/face_provider/confirm/").status_code == 404
    assert signed_in.post("/privacy/consent/surveys/partner/face_provider/withdraw/").status_code == 404


def test_widened_purpose_shows_consent_needs_renewing(signed_in, citizen):
    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.purpose_widen(purpose=surveys, actor=None, partners=[Partner.objects.get(code="sms_gateway")])
    page = signed_in.get("/privacy/", **EN)
    row = next(row for row in page.context["rows"] if row.code == "surveys")
    assert row.state == "outdated"
    assert "no longer covers it" in page.content.decode()


# -- Minors and guardians -------------------------------------------------------------------------------


@pytest.fixture
def family():
    guardian = UserFactory(language="en")
    minor = UserFactory(is_minor=True, first_name="明", last_name="李", language="en")
    GuardianLinkFactory(guardian=guardian, minor=minor)
    return guardian, minor


def test_minor_sees_their_choices_but_cannot_give_consent(client, family, health):
    guardian, minor = family
    services.consent_grant(subject=minor, purpose=purpose("surveys"), channel=ConsentChannel.GUARDIAN, actor=guardian)
    client.force_login(minor)
    page = client.get("/privacy/", **EN)
    html = page.content.decode()
    assert page.context["may_give"] is False
    assert "your guardian makes these choices for you" in html
    assert "by a guardian" in html
    assert "People you decide for" not in html
    assert "/grant/" not in html and "/confirm/" not in html
    # Posting anyway changes nothing and says why.
    answer = client.post("/privacy/consent/personal_settings/grant/", follow=True, **EN)
    assert "a guardian makes this choice" in answer.content.decode()
    assert state(minor, "personal_settings") is None
    confirm = client.get("/privacy/consent/health_reminders/confirm/")
    assert confirm.status_code == 302 and not ConsentEvent.objects.filter(subject=minor, actor=minor).exists()


def test_minor_can_always_withdraw_a_consent_themself(client, family):
    guardian, minor = family
    services.consent_grant(subject=minor, purpose=purpose("surveys"), channel=ConsentChannel.GUARDIAN, actor=guardian)
    client.force_login(minor)
    html = client.get("/privacy/").content.decode()
    assert 'action="/privacy/consent/surveys/withdraw/"' in html
    client.post("/privacy/consent/surveys/withdraw/")
    assert state(minor, "surveys").granted is False


def test_guardian_sees_the_people_they_decide_for_and_acts_for_them(client, family):
    guardian, minor = family
    client.force_login(guardian)
    html = client.get("/privacy/", **EN).content.decode()
    assert "People you decide for" in html and f'href="/privacy/for/{minor.pk}/"' in html

    page = client.get(f"/privacy/for/{minor.pk}/", **EN)
    assert page.status_code == 200 and page.context["subject"] == minor
    assert "Privacy choices for 李明" in page.content.decode()
    assert f'action="/privacy/for/{minor.pk}/consent/surveys/grant/"' in page.content.decode()
    answer = client.post(f"/privacy/for/{minor.pk}/consent/surveys/grant/", {"shown": shown_token(page)})
    assert answer["Location"] == f"/privacy/for/{minor.pk}/#purpose-surveys"
    granted = state(minor, "surveys")
    assert granted.granted and granted.by_guardian and granted.channel == "guardian"
    assert ConsentEvent.objects.get(subject=minor).actor_id == guardian.pk
    assert consent_check(subject=minor, purpose=purpose("surveys")).allowed

    client.post(f"/privacy/for/{minor.pk}/consent/surveys/withdraw/")
    assert state(minor, "surveys").granted is False


def test_guardian_confirms_a_sensitive_purpose_for_the_ward_after_their_own_step_up(health, client, family):
    guardian, minor = family
    client.force_login(guardian)
    url = f"/privacy/for/{minor.pk}/consent/health_reminders/confirm/"
    assert client.get(url).status_code == 302
    step_up_passed(guardian, client=client)
    page = client.get(url)
    assert not PolicyDisplay.objects.exists()
    client.post(url, {"shown": shown_token(page)})
    assert state(minor, "health_reminders").by_guardian is True
    # The guardian read the request, so the display is theirs.
    display = PolicyDisplay.objects.get()
    assert display.subject == guardian and display.policy_version == state(minor, "health_reminders").policy_version


@pytest.mark.parametrize(
    "path",
    [
        "/privacy/for/{id}/",
        "/privacy/for/{id}/history/",
        "/privacy/for/{id}/receipt.json",
    ],
)
def test_another_persons_dashboard_is_404(client, family, path):
    guardian, minor = family
    stranger_child = UserFactory(is_minor=True)
    adult = UserFactory()
    client.force_login(guardian)
    assert client.get(path.format(id=stranger_child.pk)).status_code == 404
    assert client.get(path.format(id=adult.pk)).status_code == 404
    assert client.get(path.format(id=guardian.pk)).status_code == 404
    assert client.get(path.format(id=999999)).status_code == 404


def test_non_guardian_cannot_change_a_minors_consent(client, family):
    _guardian, minor = family
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.post(f"/privacy/for/{minor.pk}/consent/surveys/grant/").status_code == 404
    assert client.post(f"/privacy/for/{minor.pk}/consent/surveys/withdraw/").status_code == 404
    assert not ConsentEvent.objects.filter(subject=minor).exists()


def test_pending_or_ended_guardian_link_gives_no_access(client, family):
    guardian, minor = family
    GuardianLink.objects.filter(guardian=guardian).update(state=GuardianLink.State.REVOKED)
    client.force_login(guardian)
    assert client.get(f"/privacy/for/{minor.pk}/").status_code == 404
    assert "People you decide for" not in client.get("/privacy/", **EN).content.decode()


# -- Performance --------------------------------------------------------------------------------------


def _events(user, count):
    """``count`` ledger events cycling through the same choices, so only the history's length differs."""
    surveys = purpose("surveys")
    partner = Partner.objects.get(code="survey_partner")
    services.consent_grant(subject=user, purpose=surveys)
    services.consent_grant(subject=user, purpose=surveys, partner=partner)
    for n in range(count - 3):
        if n % 2 == 0:
            services.consent_withdraw(subject=user, purpose=surveys, partner=partner)
        else:
            services.consent_grant(subject=user, purpose=surveys, partner=partner)
    services.consent_grant(subject=user, purpose=purpose("personal_settings"))


def _dashboard_queries(client, user) -> int:
    client.force_login(user)
    client.get("/privacy/")  # the first request fills per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/privacy/").status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_the_ledger(client, django_assert_num_queries):
    few, many = UserFactory(), UserFactory()
    _events(few, 10)
    _events(many, 300)
    assert ConsentEvent.objects.filter(subject=few).count() == 10
    assert ConsentEvent.objects.filter(subject=many).count() == 300
    count = _dashboard_queries(client, few)
    client.force_login(many)
    client.get("/privacy/")
    with django_assert_num_queries(count):
        page = client.get("/privacy/")
    assert page.context["subject"] == many


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_summary_comes_first_with_uses_on_partners_and_last_change(signed_in, citizen):
    page = signed_in.get("/privacy/", **EN)
    html = page.content.decode()
    optional = Purpose.objects.filter(active=True, kind="optional").count()
    # Nothing chosen yet: only the basic service's SMS gateway receives data.
    assert _between(html, 'data-testid="summary-on">', "</dd>") == f"0 of {optional}"
    assert _between(html, 'data-testid="summary-partners">', "</dd>") == "1"
    assert _between(html, 'data-testid="summary-last-change">', "</dd>") == "No choices made yet"
    assert html.index('data-testid="dashboard-summary"') < html.index('id="purpose-surveys"')

    surveys = purpose("surveys")
    services.consent_grant(subject=citizen, purpose=surveys)
    services.consent_grant(subject=citizen, purpose=surveys, partner=Partner.objects.get(code="survey_partner"))
    services.consent_grant(subject=citizen, purpose=purpose("personal_settings"))
    html = signed_in.get("/privacy/", **EN).content.decode()
    assert _between(html, 'data-testid="summary-on">', "</dd>") == f"2 of {optional}"
    assert _between(html, 'data-testid="summary-partners">', "</dd>") == "2"
    with translation.override("en"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert _between(html, 'data-testid="summary-last-change">', "</dd>") == today


def test_optional_rows_come_before_the_collapsed_basic_uses(signed_in):
    html = signed_in.get("/privacy/", **EN).content.decode()
    rows = _between(html, '<ul class="dash-rows">', '<details class="dash-basic"')
    optional = Purpose.objects.filter(active=True, kind="optional").values_list("code", flat=True)
    assert all(f'id="purpose-{code}"' in rows for code in optional)
    assert 'id="purpose-service_provision"' not in rows and "Legal basis" not in rows
    # Sensitive uses are marked in their row.
    location_row = _between(rows, 'id="purpose-location_services"', "</li>")
    surveys_row = _between(rows, 'id="purpose-surveys"', 'data-testid="partner-')
    assert 'data-testid="sensitive"' in location_row and 'data-testid="sensitive"' not in surveys_row


def test_confirmation_appears_beside_the_row_and_in_the_live_region(signed_in, citizen):
    services.consent_grant(subject=citizen, purpose=purpose("surveys"))
    answer = signed_in.post("/privacy/consent/surveys/withdraw/", follow=True, **EN)
    html = answer.content.decode()
    done = "Consent to “Survey invitations” is withdrawn. This applies now."
    row = _between(html, 'id="purpose-surveys"', '<li class="dash-row"')
    assert done in _between(row, 'data-testid="row-confirmation"', "</p>")
    live = _between(html, 'data-testid="live-region"', "</div>")
    assert 'aria-live="polite"' in html.split('data-testid="live-region"', 1)[0].rsplit("<div", 1)[1]
    assert done in live
    assert html.count(done) == 2  # beside the control, and (visually hidden) in the live region
    # Once shown, it is gone: the next visit has neither.
    again = signed_in.get("/privacy/", **EN).content.decode()
    assert done not in again and 'data-testid="row-confirmation"' not in again


def test_a_message_for_no_row_stays_visible_at_the_top(signed_in):
    answer = signed_in.post("/privacy/consent/service_public_transport/grant/", follow=True, **EN)
    live = _between(answer.content.decode(), 'data-testid="live-region"', "</div>")
    assert "in the “Optional services” section" in live and "visually-hidden" not in live
