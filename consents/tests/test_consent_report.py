"""The consent report: figures per purpose and partner, month by month with a chart, and an audited CSV."""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.utils import timezone

from accounts.selectors import citizen_accounts
from audit.models import AuditEvent
from consents.models import ConsentChannel, ConsentEvent, Partner, Purpose
from consents.services import consent_grant, consent_withdraw
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/consents/consentreport/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _purpose():
    return Purpose.objects.get(code="recommendations")


def _months_ago(count: int) -> datetime.datetime:
    day = timezone.localdate().replace(day=15)
    for _ in range(count):
        day = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _at(moment):
    return mock.patch("consents.services.timezone.now", return_value=moment)


@pytest.fixture
def population(db):
    purpose = _purpose()
    granted, withdrawn, undecided = UserFactory(), UserFactory(), UserFactory()
    with _at(_months_ago(2)):
        consent_grant(subject=granted, purpose=purpose, channel=ConsentChannel.WEB, actor=granted)
        consent_grant(subject=withdrawn, purpose=purpose, channel=ConsentChannel.WEB, actor=withdrawn)
    with _at(_months_ago(1)):
        consent_withdraw(subject=withdrawn, purpose=purpose, channel=ConsentChannel.WEB, actor=withdrawn)
    # Staff are not the people the report counts.
    member = StaffFactory()
    consent_grant(subject=member, purpose=purpose, channel=ConsentChannel.WEB, actor=member)
    return {"granted": granted, "withdrawn": withdrawn, "undecided": undecided}


def test_officers_see_granted_withdrawn_and_never_decided(population, officer, verified_client):
    page = verified_client(officer).get(URL, **EN)
    assert page.status_code == 200
    totals = {(line.purpose.code, line.partner): line for line in page.context["totals"]}
    line = totals[("recommendations", None)]
    assert (line.granted, line.withdrawn) == (1, 1)
    assert line.never_decided == citizen_accounts().count() - 2
    text = page.content.decode()
    assert "Never decided" in text and "<svg" in text


def test_the_history_counts_each_months_end(population, officer, verified_client):
    page = verified_client(officer).get(URL, {"purpose": "recommendations"}, **EN)
    history = page.context["history"]
    assert len(history) == 12
    two_ago, one_ago, now = history[-3], history[-2], history[-1]
    assert (two_ago.granted, two_ago.withdrawn, two_ago.grants, two_ago.withdrawals) == (2, 0, 2, 0)
    assert (one_ago.granted, one_ago.withdrawn, one_ago.grants, one_ago.withdrawals) == (1, 1, 0, 1)
    assert (now.granted, now.withdrawn) == (1, 1)
    assert history[0].granted == 0


def test_the_csv_holds_ids_and_codes_only_and_is_audited(population, officer, verified_client):
    response = verified_client(officer).get(URL + "download/", {"purpose": "recommendations"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="consent-states-recommendations-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["subject_id", "purpose", "partner", "state", "changed_at"]
    body = {(int(row[0]), row[3]) for row in rows[1:]}
    assert body == {(population["granted"].pk, "granted"), (population["withdrawn"].pk, "withdrawn")}
    flat = ",".join(",".join(row) for row in rows)
    assert population["granted"].email not in flat and population["granted"].username not in flat
    event = AuditEvent.objects.get(action="consents.states_exported")
    assert event.actor_id == officer.pk and event.details == {"purpose": "recommendations"}


def test_auditors_read_the_figures_but_may_not_download(population, auditor, verified_client):
    signed_in = verified_client(auditor)
    page = signed_in.get(URL, **EN)
    assert page.status_code == 200 and "report-download" not in page.content.decode()
    assert signed_in.get(URL + "download/").status_code == 403
    assert not AuditEvent.objects.filter(action="consents.states_exported").exists()


def test_customer_service_may_not_open_the_report(customer_service, verified_client):
    signed_in = verified_client(customer_service)
    assert signed_in.get(URL).status_code == 403
    assert signed_in.get(URL + "download/").status_code == 403


def test_an_unknown_purpose_is_404_and_nothing_is_recorded(officer, verified_client):
    signed_in = verified_client(officer)
    assert signed_in.get(URL, {"purpose": "no-such"}, **EN).status_code == 404
    assert signed_in.get(URL + "download/", {"purpose": "no-such"}).status_code == 404
    assert not AuditEvent.objects.filter(action="consents.states_exported").exists()


def test_a_post_to_the_download_is_refused(officer, verified_client):
    assert verified_client(officer).post(URL + "download/").status_code == 405


def test_the_ledger_is_untouched_by_reporting(population, officer, verified_client):
    before = ConsentEvent.objects.count()
    verified_client(officer).get(URL, **EN)
    assert ConsentEvent.objects.count() == before


@pytest.fixture
def sharing(db):
    """Surveys with the survey supplier: one person shares, one stopped sharing, one only took the purpose."""
    surveys = Purpose.objects.get(code="surveys")
    supplier = Partner.objects.get(code="survey_partner")
    sharing, stopped, purpose_only = UserFactory(), UserFactory(), UserFactory()
    with _at(_months_ago(2)):
        for person in (sharing, stopped, purpose_only):
            consent_grant(subject=person, purpose=surveys, channel=ConsentChannel.WEB, actor=person)
        for person in (sharing, stopped):
            consent_grant(subject=person, purpose=surveys, partner=supplier, channel=ConsentChannel.WEB, actor=person)
    with _at(_months_ago(1)):
        consent_withdraw(subject=stopped, purpose=surveys, partner=supplier, channel=ConsentChannel.WEB, actor=stopped)
    return surveys, supplier


def test_each_partner_has_its_own_line_of_figures(sharing, officer, verified_client):
    surveys, supplier = sharing
    page = verified_client(officer).get(URL, **EN)
    totals = {(line.purpose.code, line.partner.code if line.partner else None): line for line in page.context["totals"]}
    purpose_line, partner_line = totals[("surveys", None)], totals[("surveys", "survey_partner")]
    assert (purpose_line.granted, purpose_line.withdrawn) == (3, 0)
    assert (partner_line.granted, partner_line.withdrawn) == (1, 1)
    assert partner_line.never_decided == citizen_accounts().count() - 2
    assert "?purpose=surveys&amp;partner=survey_partner" in page.content.decode()


def test_a_partners_history_counts_sharing_month_by_month(sharing, officer, verified_client):
    page = verified_client(officer).get(URL, {"purpose": "surveys", "partner": "survey_partner"}, **EN)
    assert page.status_code == 200
    two_ago, one_ago, now = page.context["history"][-3:]
    assert (two_ago.granted, two_ago.withdrawn, two_ago.grants) == (2, 0, 2)
    assert (one_ago.granted, one_ago.withdrawn, one_ago.withdrawals) == (1, 1, 1)
    assert (now.granted, now.withdrawn) == (1, 1)
    assert "shared with Survey supplier (sandbox), month by month" in page.content.decode()
    # The purpose's own history is another line: three people took the purpose, none withdrew it.
    purpose_only = verified_client(officer).get(URL, {"purpose": "surveys"}, **EN).context["history"][-1]
    assert (purpose_only.granted, purpose_only.withdrawn) == (3, 0)


def test_a_partner_that_is_not_under_the_purpose_is_404(officer, verified_client):
    signed_in = verified_client(officer)
    assert signed_in.get(URL, {"purpose": "recommendations", "partner": "survey_partner"}, **EN).status_code == 404
    assert signed_in.get(URL, {"purpose": "surveys", "partner": "nobody"}, **EN).status_code == 404
