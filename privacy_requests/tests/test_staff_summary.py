"""The privacy officers' summary page: numbers against seeded requests, constant queries, who may see it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import StaffRole
from privacy_requests import services
from privacy_requests.models import PrivacyRequest, RequestChannel, RequestKind
from privacy_requests.staff.chart import bar_chart_svg
from privacy_requests.staff.selectors import staff_summary
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUMMARY = "admin:privacy_requests_privacyrequest_summary"


def _file(*, staff, kind=RequestKind.ACCESS):
    return services.privacy_request_create(
        requester=UserFactory(),
        kind=kind,
        details={"text": "x"},
        channel=RequestChannel.COUNTER,
        identity_check_note="ID card seen at the counter",
        filed_by=staff,
    )


def _completed(*, staff, days_ago: int, took_days: int):
    """A complaint answered ``days_ago``, ``took_days`` after its identity was verified."""
    request = _file(staff=staff, kind=RequestKind.COMPLAINT)
    services.privacy_request_complete(request=request, actor=staff, answer="Answered.")
    closed = timezone.now() - timedelta(days=days_ago)
    PrivacyRequest.objects.filter(pk=request.pk).update(
        closed_at=closed, verified_at=closed - timedelta(days=took_days)
    )
    return request


def _seed(officer):
    """3 open access (1 overdue, 1 in review), 2 open deletions (1 due soon), completions at 2, 4, 9 days."""
    overdue = _file(staff=officer)
    PrivacyRequest.objects.filter(pk=overdue.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    in_review = _file(staff=officer)
    services.privacy_request_start_review(request=in_review, actor=officer)
    _file(staff=officer)
    soon = _file(staff=officer, kind=RequestKind.DELETION)
    PrivacyRequest.objects.filter(pk=soon.pk).update(due_date=timezone.localdate())
    _file(staff=officer, kind=RequestKind.DELETION)
    _completed(staff=officer, days_ago=1, took_days=2)
    _completed(staff=officer, days_ago=8, took_days=4)
    _completed(staff=officer, days_ago=15, took_days=9)
    # Outside the 90 days: not in the median.
    _completed(staff=officer, days_ago=120, took_days=40)


def test_summary_numbers_match_the_seeded_requests(officer):
    _seed(officer)

    summary = staff_summary()

    table = {label: (counts, total) for label, counts, total in summary.open_table}
    assert table[RequestKind.ACCESS.label] == ([0, 2, 1], 3)
    assert table[RequestKind.DELETION.label] == ([0, 2, 0], 2)
    assert table[RequestKind.COMPLAINT.label] == ([0, 0, 0], 0)
    assert summary.open_total == 5
    assert summary.overdue == 1
    assert summary.due_soon == 1
    assert summary.median_days == 4.0
    assert summary.completed_count == 3
    assert len(summary.weeks) == 12
    assert sum(count for _monday, count in summary.weeks) == 3


def test_summary_page_shows_the_numbers_and_an_inline_svg_chart(verified_client, officer):
    _seed(officer)

    response = verified_client(officer).get(reverse(SUMMARY))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="open-total">5</dd>' in html
    assert '<dd id="overdue-count">1</dd>' in html
    assert '<dd id="due-soon-count">1</dd>' in html
    assert "4.0 calendar days" in html
    assert "<svg" in html and 'role="img"' in html
    assert "<script" not in html.split('id="summary-chart"')[1]
    assert " style=" not in html.split('id="summary-chart"')[1]


def test_summary_query_count_is_constant(verified_client, officer, django_assert_max_num_queries):
    client = verified_client(officer)
    client.get(reverse(SUMMARY))  # the session's first page also records the session
    _seed(officer)
    # About 8 for session, device and session tracking; then permissions, the
    # officer group, the holiday calendar and the four aggregates.
    with django_assert_max_num_queries(16) as few:
        client.get(reverse(SUMMARY))
    for _ in range(3):
        _seed(officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(SUMMARY))
    assert '<dd id="open-total">20</dd>' in response.content.decode()


def test_summary_is_for_privacy_officers_only(verified_client, groups):
    agent = UserFactory(is_staff=True, username="agent_s")
    agent.groups.add(groups[StaffRole.CUSTOMER_SERVICE])
    auditor = UserFactory(is_staff=True, username="auditor_s")
    auditor.groups.add(groups[StaffRole.AUDITOR])

    assert verified_client(agent).get(reverse(SUMMARY)).status_code == 403
    assert verified_client(auditor).get(reverse(SUMMARY)).status_code == 403


def test_summary_link_shown_to_officers_only(verified_client, officer, groups):
    changelist = reverse("admin:privacy_requests_privacyrequest_changelist")
    assert reverse(SUMMARY) in verified_client(officer).get(changelist).content.decode()
    agent = UserFactory(is_staff=True, username="agent_t")
    agent.groups.add(groups[StaffRole.CUSTOMER_SERVICE])
    assert reverse(SUMMARY) not in verified_client(agent).get(changelist).content.decode()


def test_chart_escapes_labels_and_scales_bars():
    svg = str(bar_chart_svg([("<b>", 2), ("w2", 4)], title="T", description="D"))
    assert "&lt;b&gt;" in svg
    assert 'height="192.0"' in svg  # the tallest bar fills the plot
    assert 'height="96.0"' in svg


@pytest.mark.parametrize("took", [(2, 4, 9), (2, 4, 9, 11)])
def test_the_median_without_percentile_cont_equals_postgresqls(officer, took):
    """The median ``make run`` (SQLite) uses reads the middle rows; it agrees with percentile_cont here."""
    for index, days in enumerate(took):
        _completed(staff=officer, days_ago=index + 1, took_days=days)
    with_percentile = staff_summary().median_days

    with mock.patch("privacy_requests.staff.selectors.connection") as other_database:
        other_database.vendor = "sqlite"
        by_offset = staff_summary()

    assert by_offset.median_days == with_percentile == {3: 4.0, 4: 6.5}[len(took)]
    assert by_offset.completed_count == len(took)
