"""Optional services (clause 2.3): enrol with exactly the declared data and consent, leave in one click."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import StepUpCheck
from audit.models import AuditEvent
from consents.models import (
    ConsentAction,
    ConsentChannel,
    ConsentEvent,
    OptionalService,
    PolicyDisplay,
    Purpose,
    ServiceEnrolment,
)
from consents.optional_services import services
from consents.optional_services.selectors import service_rows_for
from consents.policy_shown import policy_shown_token
from consents.selectors import consent_check, policy_current
from consents.services import ConsentError
from tests.factories import GuardianLinkFactory, UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TRANSPORT = {"card_number": "  TC-0001  "}
FUND = {"account_number": "GJJ-123456", "employer": "Example Co."}


def service(code):
    return OptionalService.objects.select_related("purpose").get(code=code)


def allowed(user, purpose_code):
    return consent_check(subject=user, purpose=Purpose.objects.get(code=purpose_code)).allowed


# -- The services -------------------------------------------------------------------------------------


def test_enrolling_grants_the_purpose_and_keeps_the_data_encrypted(citizen):
    transport = service("public_transport")
    enrolment = services.service_enrol(subject=citizen, service=transport, data=TRANSPORT)

    assert enrolment.state == ServiceEnrolment.State.ENROLLED
    assert services.enrolment_data(enrolment=enrolment) == {"card_number": "TC-0001"}  # trimmed
    assert allowed(citizen, "service_public_transport")
    event = ConsentEvent.objects.get(subject=citizen, purpose=transport.purpose)
    assert (event.action, event.channel) == (ConsentAction.GRANTED, ConsentChannel.WEB)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM consents_serviceenrolment WHERE id = %s", [enrolment.pk])
        assert "TC-0001" not in cursor.fetchone()[0]
    audit = AuditEvent.objects.get(action="consent.service_enrolled")
    assert audit.details["service"] == "public_transport" and audit.details["fields"] == ["card_number"]
    assert "TC-0001" not in json.dumps(audit.details)


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"account_number": "  ", "employer": "Example Co."}, "account_number", "required"),
        ({"employer": "Example Co."}, "account_number", "required"),
        ({"account_number": "x" * 101, "employer": "Example Co."}, "account_number", "too_long"),
        ({**FUND, "salary": "10000"}, "salary", "not_asked"),
    ],
)
def test_bad_data_names_the_field_and_saves_nothing(citizen, data, field, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.service_enrol(subject=citizen, service=service("provident_fund"), data=data)
    assert refused.value.error_dict[field][0].code == code
    assert not ServiceEnrolment.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_enrolling_twice_is_refused(citizen):
    transport = service("public_transport")
    services.service_enrol(subject=citizen, service=transport, data=TRANSPORT)
    with pytest.raises(ConsentError):
        services.service_enrol(subject=citizen, service=transport, data=TRANSPORT)
    assert ServiceEnrolment.objects.filter(user=citizen).count() == 1


def test_leaving_withdraws_consent_and_schedules_deletion_in_30_days(citizen):
    transport = service("public_transport")
    services.service_enrol(subject=citizen, service=transport, data=TRANSPORT)
    before = timezone.now()
    enrolment = services.service_leave(subject=citizen, service=transport)

    assert enrolment.state == ServiceEnrolment.State.LEFT
    assert before <= enrolment.left_at <= timezone.now()
    assert enrolment.data_delete_after - enrolment.left_at == timedelta(days=30)
    assert not allowed(citizen, "service_public_transport")
    assert consent_check(subject=citizen, purpose=transport.purpose).reason == "withdrawn"
    assert AuditEvent.objects.filter(action="consent.service_left").exists()
    # Joining again later is a new enrolment.
    services.service_enrol(subject=citizen, service=transport, data=TRANSPORT)
    assert ServiceEnrolment.objects.filter(user=citizen).count() == 2


def test_leaving_a_service_one_is_not_in_is_refused(citizen):
    with pytest.raises(ConsentError):
        services.service_leave(subject=citizen, service=service("taxation"))


def test_an_inactive_service_can_be_left_but_not_joined(citizen):
    transport = service("public_transport")
    services.service_enrol(subject=citizen, service=transport, data=TRANSPORT)
    OptionalService.objects.filter(pk=transport.pk).update(active=False)
    transport.refresh_from_db()
    with pytest.raises(ConsentError):
        services.service_enrol(subject=UserFactory(), service=transport, data=TRANSPORT)
    services.service_leave(subject=citizen, service=transport)


def test_a_child_cannot_enrol_alone_but_their_guardian_can(citizen):
    minor = UserFactory(is_minor=True)
    transport = service("public_transport")
    with pytest.raises(ConsentError):
        services.service_enrol(subject=minor, service=transport, data=TRANSPORT)
    GuardianLinkFactory(guardian=citizen, minor=minor)
    services.service_enrol(
        subject=minor, service=transport, data=TRANSPORT, actor=citizen, channel=ConsentChannel.GUARDIAN
    )
    assert allowed(minor, "service_public_transport")


def test_service_rows_take_three_queries_however_many_enrolments(citizen, django_assert_num_queries):
    transport = service("public_transport")
    for _round in range(5):
        services.service_enrol(subject=citizen, service=transport, data=TRANSPORT)
        services.service_leave(subject=citizen, service=transport)
    with django_assert_num_queries(3):
        rows = service_rows_for(subject=citizen)
    assert {row.service.code for row in rows} >= {"public_transport", "taxation"}
    assert next(row for row in rows if row.service.code == "public_transport").left


# -- The pages ----------------------------------------------------------------------------------------


def test_list_shows_what_each_service_asks_for_in_the_persons_language(client, citizen):
    client.force_login(citizen)
    html = client.get("/privacy/services/", **EN).content.decode()
    assert "Housing provident fund" in html and "Provident fund account number" in html and "Employer" in html
    assert "Bank account details" in html  # a data category of the provident fund purpose
    assert "deleted after 30 days" in html
    zh = UserFactory(language="zh-hans")
    client.force_login(zh)
    html = client.get("/privacy/services/").content.decode()
    assert "公积金账号" in html and "住房公积金" in html


def test_pages_need_sign_in(client):
    assert client.get("/privacy/services/").status_code == 302
    assert client.post("/privacy/services/public_transport/leave/").status_code == 302
    assert client.get("/privacy/services/public_transport/enrol/").status_code == 302


def test_unknown_service_is_404(client, citizen):
    client.force_login(citizen)
    assert client.get("/privacy/services/no_such/enrol/").status_code == 404
    assert client.post("/privacy/services/no_such/leave/").status_code == 404


def shown_token(html: str) -> str:
    return re.search(r'name="shown" value="([^"]+)"', html).group(1)


def test_enrol_page_states_the_consent_and_enrolling_records_that_it_was_shown(client, citizen):
    client.force_login(citizen)
    page = client.get("/privacy/services/public_transport/enrol/", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "By enrolling, you agree" in html and "Travel card number" in html
    # Showing the request writes nothing; enrolling records it with the consent.
    assert not PolicyDisplay.objects.exists()
    client.post("/privacy/services/public_transport/enrol/", {**TRANSPORT, "shown": shown_token(html)})
    display = PolicyDisplay.objects.get()
    assert (display.subject, display.context, display.purpose.code) == (
        citizen,
        PolicyDisplay.Context.CONSENT_REQUEST,
        "service_public_transport",
    )
    event = ConsentEvent.objects.get(subject=citizen)
    assert event.policy_version == display.policy_version == policy_current()
    assert ServiceEnrolment.objects.get().user == citizen


@pytest.mark.parametrize("whose", ["another person's", "another service's", "altered"])
def test_an_enrolment_token_not_from_this_page_records_no_display(client, citizen, whose):
    transport, fund = service("public_transport").purpose, service("provident_fund").purpose
    token = {
        "another person's": policy_shown_token(viewer=UserFactory(), purpose=transport, version=policy_current()),
        "another service's": policy_shown_token(viewer=citizen, purpose=fund, version=policy_current()),
        "altered": policy_shown_token(viewer=citizen, purpose=transport, version=policy_current()) + "x",
    }[whose]
    client.force_login(citizen)
    client.post("/privacy/services/public_transport/enrol/", {**TRANSPORT, "shown": token})
    assert allowed(citizen, "service_public_transport")
    assert not PolicyDisplay.objects.exists()


def test_an_enrolment_with_bad_data_records_no_display(client, citizen):
    client.force_login(citizen)
    html = client.get("/privacy/services/public_transport/enrol/").content.decode()
    page = client.post("/privacy/services/public_transport/enrol/", {"card_number": " ", "shown": shown_token(html)})
    assert page.status_code == 400 and 'name="shown"' in page.content.decode()
    assert not PolicyDisplay.objects.exists() and not ConsentEvent.objects.exists()


def test_enrol_form_with_an_empty_field_saves_nothing(client, citizen):
    client.force_login(citizen)
    page = client.post("/privacy/services/public_transport/enrol/", {"card_number": "   "}, **EN)
    assert page.status_code == 400
    assert "This field is required." in page.content.decode()
    assert not ServiceEnrolment.objects.exists() and not ConsentEvent.objects.exists()


def test_enrol_and_leave_through_the_pages(client, citizen):
    client.force_login(citizen)
    done = client.post("/privacy/services/public_transport/enrol/", {"card_number": "TC-9"}, follow=True, **EN)
    assert "Enrolled in Public transport" in done.content.decode()
    assert allowed(citizen, "service_public_transport")
    left = client.post("/privacy/services/public_transport/leave/", follow=True, **EN)
    html = left.content.decode()
    assert "Left Public transport: the consent is withdrawn" in html and "will be deleted after" in html
    assert not allowed(citizen, "service_public_transport")


def test_sensitive_service_needs_the_step_up_check_but_leaving_does_not(client, citizen):
    client.force_login(citizen)
    page = client.get("/privacy/services/provident_fund/enrol/")
    assert page.status_code == 302 and page.url.startswith("/account/two-factor/step-up/")
    refused = client.post("/privacy/services/provident_fund/enrol/", FUND)
    assert refused.status_code == 302 and "step-up" in refused.url
    assert not ServiceEnrolment.objects.exists()

    step_up_passed(citizen, client=client)
    assert client.post("/privacy/services/provident_fund/enrol/", FUND).status_code == 302
    assert allowed(citizen, "service_provident_fund")
    StepUpCheck.objects.filter(user=citizen).update(verified_at=timezone.now() - timedelta(hours=1))
    assert client.post("/privacy/services/provident_fund/leave/").status_code == 302
    assert not allowed(citizen, "service_provident_fund")


def test_a_childs_own_page_is_read_only_and_the_guardian_decides_for_them(client, citizen):
    minor = UserFactory(is_minor=True, language="en")
    client.force_login(minor)
    assert 'data-testid="read-only"' in client.get("/privacy/services/", **EN).content.decode()
    refused = client.post("/privacy/services/public_transport/enrol/", {"card_number": "TC-1"}, **EN)
    assert refused.status_code == 400 and "a guardian makes this choice" in refused.content.decode()

    client.force_login(citizen)
    # Not their ward yet: 404.
    assert client.get(f"/privacy/services/?subject={minor.pk}").status_code == 404
    GuardianLinkFactory(guardian=citizen, minor=minor)
    html = client.get(f"/privacy/services/public_transport/enrol/?subject={minor.pk}").content.decode()
    assert not PolicyDisplay.objects.exists()
    client.post(
        "/privacy/services/public_transport/enrol/",
        {"card_number": "TC-1", "subject": minor.pk, "shown": shown_token(html)},
    )
    assert allowed(minor, "service_public_transport")
    event = ConsentEvent.objects.get(subject=minor)
    assert event.channel == ConsentChannel.GUARDIAN
    assert not ServiceEnrolment.objects.filter(user=citizen).exists()
    # The guardian read the request, so the display is theirs.
    display = PolicyDisplay.objects.get()
    assert display.subject == citizen and display.policy_version == event.policy_version


def test_the_basic_service_works_for_someone_who_left_every_service(client, citizen):
    for optional in OptionalService.objects.all():
        data = {field["name"]: "x" for field in optional.required_fields}
        services.service_enrol(subject=citizen, service=optional, data=data)
        services.service_leave(subject=citizen, service=optional)
    client.force_login(citizen)
    for url in ("/", "/account/identity/", "/privacy/"):
        assert client.get(url).status_code == 200, url


# -- The API ------------------------------------------------------------------------------------------


def test_api_lists_services_with_the_persons_enrolment(api, citizen):
    services.service_enrol(subject=citizen, service=service("public_transport"), data=TRANSPORT)
    listed = {row["code"]: row for row in api.get("/api/v1/consents/services/", **EN).json()}
    assert listed["public_transport"]["enrolment"]["state"] == "enrolled"
    assert listed["public_transport"]["required_fields"] == [
        {"name": "card_number", "label": "Travel card number", "max_length": 100}
    ]
    assert listed["taxation"]["enrolment"] is None and listed["taxation"]["sensitive"] is True


def test_api_enrol_and_leave(api, citizen):
    created = api.post("/api/v1/consents/services/public_transport/enrol/", {"data": TRANSPORT}, format="json")
    assert created.status_code == 201 and created.json()["state"] == "enrolled"
    assert ConsentEvent.objects.get(subject=citizen).channel == ConsentChannel.API
    left = api.post("/api/v1/consents/services/public_transport/leave/")
    assert left.status_code == 200 and left.json()["data_delete_after"]
    again = api.post("/api/v1/consents/services/public_transport/leave/", **EN)
    assert again.status_code == 400 and "not enrolled" in json.dumps(again.json())


def test_api_enrol_with_bad_data_is_400_by_field(api):
    answer = api.post("/api/v1/consents/services/public_transport/enrol/", {"data": {"card_number": ""}}, format="json")
    assert answer.status_code == 400 and "card_number" in answer.json()["data"]
    assert not ServiceEnrolment.objects.exists()


def test_api_sensitive_service_needs_step_up(api):
    refused = api.post("/api/v1/consents/services/taxation/enrol/", {"data": {"taxpayer_number": "T1"}}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "step_up_required"
    assert not ServiceEnrolment.objects.exists()


def test_api_needs_authentication_and_unknown_service_is_404(api):
    anonymous = APIClient()
    assert anonymous.get("/api/v1/consents/services/").status_code in (401, 403)
    assert anonymous.post("/api/v1/consents/services/public_transport/enrol/", {}, format="json").status_code in (
        401,
        403,
    )
    assert anonymous.post("/api/v1/consents/services/public_transport/leave/").status_code in (401, 403)
    assert api.post("/api/v1/consents/services/nope/enrol/", {"data": {}}, format="json").status_code == 404


def test_services_panel_renders_a_section_in_constant_queries(citizen, django_assert_num_queries):
    from django.template import Context, Template
    from django.test import RequestFactory

    services.service_enrol(subject=citizen, service=service("public_transport"), data=TRANSPORT)
    request = RequestFactory().get("/privacy/")
    request.user = citizen
    with django_assert_num_queries(2), translation.override("en"):
        html = Template("{% load consent_panels_services %}{% services_panel %}").render(Context({"request": request}))
    assert "<section" in html and "<h2" in html and "Enrolled" in html
