"""Issue #15's staff pages in a real browser: internal notes, the request's clock, the summary, the consent report,
the incident notice previewed and sent, overdue escalation, survey invitations."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from audit.models import AuditEvent
from consents.models import ConsentChannel, Purpose, SurveyInvitation
from consents.services import consent_grant, consent_withdraw
from consents.surveys.selectors import survey_purpose
from incidents.models import Audience, Incident, Severity
from incidents.tests.factories import NOTICE_TEXTS, notice_complete, notice_fields
from notifications.models import OutboxEmail
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind, RequestNote, RequestState
from privacy_requests.notification_kinds import STAFF_OVERDUE_DIGEST
from privacy_requests.overdue.services import privacy_requests_escalate_overdue, staff_overdue_digests_send
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTE = "Caller sounded unsure; check the address with team B before answering."


@pytest.fixture
def officer(db):
    groups = staff_groups_ensure()
    member = UserFactory(is_staff=True, language="en", username="officer_ops")
    member.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    return member


@pytest.fixture
def open_page(browser: Browser, live_server):
    """A page signed in as ``user`` (staff: past the second factor), closed after the test."""
    contexts = []

    def make(user, *, locale="en-US", **options):
        context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 900}, **options)
        contexts.append(context)
        give_browser_session(context, live_server, user, second_factor_passed=user.is_staff)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _file(staff, *, kind=RequestKind.ACCESS, citizen=None):
    return services.privacy_request_create(
        requester=citizen or UserFactory(language="en"),
        kind=kind,
        details={"text": "Please send me what you hold."},
        channel=RequestChannel.PHONE,
        identity_check_note="Security questions answered on the phone",
        filed_by=staff,
    )


def _change_url(live_server, request) -> str:
    return live_server.url + reverse("admin:privacy_requests_privacyrequest_change", args=[request.pk])


def test_an_internal_note_is_read_by_staff_and_never_shown_to_the_citizen(
    live_server, open_page, officer, artifacts_dir
):
    citizen = UserFactory(language="en")
    request = _file(officer, citizen=citizen)
    services.privacy_request_message(
        request=request, author=officer, body="Which address should we post it to?", from_staff=True
    )

    staff_page = open_page(officer)
    staff_page.goto(_change_url(live_server, request))
    staff_page.get_by_label("internal note").fill(NOTE)
    staff_page.get_by_role("button", name="Add the note").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Note added. Only staff can read it.")
    expect(staff_page.locator("#request-notes")).to_contain_text(NOTE)
    expect(staff_page.locator("#request-notes")).to_contain_text("officer_ops")

    citizen_page = open_page(citizen)
    citizen_page.goto(live_server.url + reverse("privacy_requests:detail", args=[request.pk]))
    # The citizen reads the staff's message on the same request, and nothing of the note.
    expect(citizen_page.locator("main")).to_contain_text("Which address should we post it to?")
    expect(citizen_page.locator("main")).not_to_contain_text("team B")
    citizen_page.screenshot(path=str(artifacts_dir / "request-citizen-without-note.png"), full_page=True)
    assert RequestNote.objects.filter(request=request, author=officer).count() == 1
    assert AuditEvent.objects.filter(action="privacy_request.note_add", actor=officer).count() == 1


def test_the_request_page_shows_the_due_date_once_and_a_stopped_clock_once_completed(
    live_server, open_page, officer, artifacts_dir
):
    officer.language = "zh-hans"
    officer.save(update_fields=["language"])
    request = _file(officer, kind=RequestKind.COMPLAINT)
    page = open_page(officer, locale="zh-CN")
    page.goto(_change_url(live_server, request))
    form = page.locator("#privacyrequest_form")
    expect(form.locator("label", has_text="截止日期")).to_have_count(1)
    expect(form.locator(".field-pause")).to_contain_text("计时中")

    page.locator(".request-action-complete textarea").fill("我们已核实，您的个人信息处理符合规定。")
    page.locator(".request-action-complete input[type=submit]").click()

    expect(page.locator(".messagelist")).to_be_visible()
    expect(form.locator(".field-pause")).to_contain_text("已停止（已完成，")
    expect(form.locator(".field-pause")).not_to_contain_text("计时中")
    expect(form.locator("label", has_text="截止日期")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "request-completed-clock-zh.png"), full_page=True)
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED


def test_the_summary_page_counts_the_queue_and_draws_its_chart(live_server, open_page, officer, artifacts_dir):
    overdue = _file(officer)
    PrivacyRequest.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    _file(officer)
    answered = _file(officer, kind=RequestKind.COMPLAINT)
    services.privacy_request_complete(request=answered, actor=officer, answer="Answered.")

    page = open_page(officer)
    page.goto(live_server.url + reverse("admin:privacy_requests_privacyrequest_summary"))

    expect(page.locator("#open-total")).to_have_text("2")
    expect(page.locator("#overdue-count")).to_have_text("1")
    expect(page.locator("#summary-chart svg[role=img]")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "staff-summary.png"), full_page=True)
    # The overdue number leads to the overdue requests.
    page.locator("#summary-deadlines a[href*='overdue=yes']").first.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(overdue.reference)


def test_the_consent_report_shows_figures_and_a_chart_and_downloads_an_audited_csv(
    live_server, open_page, officer, artifacts_dir
):
    purpose = Purpose.objects.get(code="recommendations")
    granted, withdrawn = UserFactory(), UserFactory()
    for person in (granted, withdrawn):
        consent_grant(subject=person, purpose=purpose, channel=ConsentChannel.WEB, actor=person)
    consent_withdraw(subject=withdrawn, purpose=purpose, channel=ConsentChannel.WEB, actor=withdrawn)

    page = open_page(officer)
    page.goto(live_server.url + f"/admin/consents/consentreport/?purpose={purpose.code}")

    row = page.locator("#consent-totals tbody tr", has=page.locator(f'a[href="?purpose={purpose.code}"]'))
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row.locator("td").nth(3)).to_have_text("1")
    expect(page.locator("figure svg[role=img]")).to_be_visible()
    expect(page.locator("#consent-history-table tbody tr").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "consent-report.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#report-download-purpose").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))

    # Subject ids and codes, nothing else about the people.
    assert sorted(tuple(line[:4]) for line in rows[1:]) == sorted(
        [(str(granted.pk), purpose.code, "", "granted"), (str(withdrawn.pk), purpose.code, "", "withdrawn")]
    )
    assert not any(granted.email in cell or granted.username in cell for line in rows for cell in line)
    assert AuditEvent.objects.filter(action="consents.states_exported", actor=officer).count() == 1


def test_an_incident_notice_is_previewed_in_both_languages_sent_and_read_by_the_person(
    live_server, open_page, officer, artifacts_dir
):
    reader = UserFactory(language="en")
    incident = Incident.objects.create(
        **notice_fields(),
        title_zh="数据泄露",
        title_en="Data leak",
        description_zh="一个导出文件夹被错误地设为公开可读。",
        discovered_at=timezone.now(),
        severity=Severity.GENERAL,
        advice_zh="请修改密码。",
        advice_en="Please change your password.",
        audience=Audience.IDS,
        audience_user_ids=[reader.pk],
    )
    notice_complete(incident, categories=("contact",))
    page = open_page(officer)
    page.goto(live_server.url + reverse("admin:incidents_incident_change", args=[incident.pk]))

    page.get_by_test_id("incident-preview").click()
    english, chinese = page.get_by_test_id("preview-en"), page.get_by_test_id("preview-zh-hans")
    for text in (NOTICE_TEXTS["description_en"], NOTICE_TEXTS["consequences_en"], NOTICE_TEXTS["measures_en"]):
        expect(english).to_contain_text(text)
    for text in (NOTICE_TEXTS["consequences_zh"], NOTICE_TEXTS["measures_zh"], "一个导出文件夹被错误地设为公开可读。"):
        expect(chinese).to_contain_text(text)
    expect(english).to_contain_text("Contact details")
    expect(page.get_by_test_id("notice-problems")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "incident-notice-preview.png"), full_page=True)
    page.goto(live_server.url + reverse("admin:incidents_incident_notify", args=[incident.pk]))
    expect(page.locator("#content-main")).to_contain_text("1 person will get an email and an inbox message")
    page.get_by_role("button", name="Notify affected people").click()
    expect(page.locator(".messagelist")).to_contain_text("The affected people are being notified.")

    # The person reads the same elements in their inbox, in their language.
    inbox = open_page(reader)
    inbox.goto(live_server.url + "/inbox/")
    inbox.get_by_role("link", name="Data leak").first.click()
    for text in (
        NOTICE_TEXTS["description_en"],
        NOTICE_TEXTS["consequences_en"],
        NOTICE_TEXTS["measures_en"],
        "Please change your password.",
        "Contact details",
        "12345",  # how to reach us: the hotline
    ):
        expect(inbox.locator("main")).to_contain_text(text)
    inbox.screenshot(path=str(artifacts_dir / "incident-notice-inbox.png"), full_page=True)


def test_an_overdue_request_is_escalated_flagged_in_the_queue_and_hidden_from_the_citizen(
    live_server, open_page, officer, artifacts_dir
):
    agent = UserFactory(is_staff=True, language="zh-hans", username="agent_zh")
    agent.groups.add(staff_groups_ensure()[StaffRole.CUSTOMER_SERVICE])
    citizen = UserFactory(language="en")
    late = _file(officer, citizen=citizen)
    services.privacy_request_assign(request=late, actor=officer, assignee=agent)
    on_time = _file(officer)
    PrivacyRequest.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))
    assert privacy_requests_escalate_overdue(today=timezone.localdate()) == 1
    staff_overdue_digests_send(today=timezone.localdate())

    page = open_page(officer)
    page.goto(live_server.url + reverse("admin:privacy_requests_privacyrequest_changelist") + "?overdue=yes")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).not_to_contain_text(on_time.reference)
    expect(page.locator("#result_list .request-overdue")).to_be_visible()
    page.get_by_role("link", name=late.reference).click()
    expect(page.locator(".field-escalation")).to_contain_text("Overdue: escalated to the privacy officers on")
    expect(page.locator("#request-timeline .event-escalated")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "staff-overdue-escalated.png"), full_page=True)

    citizen_page = open_page(citizen)
    citizen_page.goto(live_server.url + reverse("privacy_requests:detail", args=[late.pk]))
    expect(citizen_page.get_by_test_id("timeline")).to_be_visible()
    expect(citizen_page.locator("main")).not_to_contain_text("escalat")
    # The assignee's digest names the request, in their language.
    digest = OutboxEmail.objects.get(kind=STAFF_OVERDUE_DIGEST, recipient=agent)
    assert late.reference in digest.body and digest.language == "zh-hans"


def test_a_survey_invitation_sent_from_admin_reaches_only_consenting_people(live_server, open_page, officer):
    invitation = SurveyInvitation.objects.create(
        title_zh="门户满意度调查",
        title_en="Portal satisfaction survey",
        text_zh="请用五分钟告诉我们您的使用感受。",
        text_en="Tell us in five minutes how the portal works for you.",
        survey_url="https://survey.example.cn/portal-2026",
    )
    consenting, not_asked = UserFactory(language="en"), UserFactory(language="en")
    consent_grant(subject=consenting, purpose=survey_purpose())

    page = open_page(officer)
    page.goto(live_server.url + reverse("admin:consents_surveyinvitation_changelist"))
    page.locator(f'input[name="_selected_action"][value="{invitation.pk}"]').check()
    page.locator('select[name="action"]').select_option("send")
    page.get_by_role("button", name="Go", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()

    inbox = open_page(consenting)
    inbox.goto(live_server.url + "/inbox/")
    inbox.get_by_role("link", name="Portal satisfaction survey").first.click()
    expect(inbox.locator("main")).to_contain_text("Tell us in five minutes how the portal works for you.")
    expect(inbox.locator("main")).to_contain_text("/privacy/surveys/stop/")
    other = open_page(not_asked)
    other.goto(live_server.url + "/inbox/")
    expect(other.locator("main")).not_to_contain_text("Portal satisfaction survey")
