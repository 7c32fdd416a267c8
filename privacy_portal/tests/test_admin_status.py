"""The staff status page in admin: each component of the deployment, for staff past the second factor."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import ChainVerification
from audit.services import audit_record, chain_verification_record
from retention.models import SweepReport, SweepReportLine
from tests.factories import StaffFactory, UserFactory
from tests.integration.mail_sink import RecordingSmtpSink

URL = "/admin/status/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def status_page(verified_client, staff):
    def read(**headers):
        page = verified_client(staff).get(URL, **headers)
        assert page.status_code == 200
        return page.content.decode()

    return read


def row(html: str, name: str) -> str:
    """The table row of one component."""
    start = html.index(f'<th scope="row">{name}</th>')
    return html[start : html.index("</tr>", start)]


def test_staff_past_the_second_factor_see_every_component(status_page, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    html = status_page()
    assert "Deployment status" in html
    assert "Every component answers." in html
    assert "Reachable; every migration applied." in row(html, "Database")
    assert "OK" in row(html, "Broker")
    assert "writes and reads" in row(html, "Cache")
    assert "FileSystemStorage: writes, reads and deletes." in row(html, "File storage")
    assert "leaves no machine" in row(html, "Mail")
    assert "Never verified." in row(html, "Audit log verification")
    assert "Never verified." in row(html, "Consent ledger verification")
    assert "Never run." in row(html, "Retention sweep")


def test_the_page_is_in_chinese_for_staff_who_read_it(verified_client, groups):
    page = verified_client(StaffFactory(language="zh-hans")).get(URL)
    assert "部署状态" in page.content.decode()


def test_verifications_and_the_sweep_show_their_last_outcome_and_age(status_page):
    call_command("verify_audit_log", stdout=None)
    call_command("verify_consent_ledger", stdout=None)
    report = SweepReport.objects.create(started_at=timezone.now() - timedelta(hours=3))
    SweepReportLine.objects.create(report=report, rule_code="login_activity", rows_deleted=12, rows_anonymised=3)
    report.finished_at = timezone.now() - timedelta(hours=2)
    report.save(update_fields=["finished_at"])

    html = status_page()
    audit = row(html, "Audit log verification")
    assert "Intact:" in audit and "partitions, each from its first event." in audit and "OK" in audit
    assert "0\xa0minutes ago" in audit
    assert "Intact:" in row(html, "Consent ledger verification")
    sweep = row(html, "Retention sweep")
    assert "12 rows deleted, 3 anonymised." in sweep
    assert "2\xa0hours ago" in sweep


def test_the_audit_log_says_whether_its_last_check_was_incremental(status_page):
    audit_record(actor=None, action="system.test")
    call_command("verify_audit_log", stdout=None)
    audit_record(actor=None, action="system.test")
    call_command("verify_audit_log", stdout=None)
    audit = row(status_page(), "Audit log verification")
    assert "Intact: 1 new events checked in" in audit and "from where the last check reached." in audit


def test_a_broken_chain_and_an_overdue_check_stand_out(status_page):
    chain_verification_record(chain="consent_ledger", ok=False, checked=40, problem="a chain is broken at event #7")
    old = chain_verification_record(chain="audit_log", ok=True, checked=900)
    ChainVerification.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=3))

    html = status_page()
    ledger = row(html, "Consent ledger verification")
    assert "Failed" in ledger and "Does not hold: a chain is broken at event #7" in ledger
    assert "Something is down" in html
    audit = row(html, "Audit log verification")
    assert "Warning" in audit and "overdue" in audit and "3\xa0days ago" in audit


def test_smtp_is_probed_with_a_short_timeout(status_page, settings):
    sink = RecordingSmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
    try:
        assert f"SMTP at {sink.host}:{sink.port} answers." in row(status_page(), "Mail")
    finally:
        sink.stop()
    mail = row(status_page(), "Mail")
    assert "does not answer" in mail and "Failed" in mail
    assert sink.accepted_total() == 0, "the probe sends nothing"


def test_an_unreachable_broker_and_an_unwritable_storage_are_reported(status_page, settings, tmp_path):
    from privacy_portal.celery import app

    not_a_directory = tmp_path / "media"
    not_a_directory.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(not_a_directory)
    original = app.conf.broker_url  # before the setting changes: the first read loads it
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        html = status_page()
    finally:
        app.conf.broker_url = original
    assert "Unreachable." in row(html, "Broker") and "Failed" in row(html, "Broker")
    assert "could not be read back" in row(html, "File storage")


def test_the_storage_probe_leaves_nothing_behind(status_page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    status_page()
    assert not [path for path in (tmp_path / "media").rglob("*") if path.is_file()]


def test_staff_without_the_second_factor_are_sent_to_sign_in(client, staff):
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 302
    assert "Deployment status" not in response.content.decode()


@pytest.mark.parametrize("who", ["citizen", "anonymous"])
def test_citizens_and_visitors_never_see_it(client, verified_client, who):
    if who == "citizen":
        client = verified_client(UserFactory())
    response = client.get(URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_index_links_the_status_page(verified_client, staff):
    page = verified_client(staff).get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{URL}"' in page and "Deployment status" in page
