"""Every API operation, called by schemathesis as a signed-in citizen, answers as its OpenAPI schema says.

The schema is the one drf-spectacular serves at /api/schema/, read through the WSGI app. Each
operation gets a few generated requests (valid bodies and parameters, then ones the schema calls
invalid); an answer fails when it is a 5xx, a status code the operation does not list, a content
type it does not list, or a body that does not match the listed schema. The number of examples is
kept small so the whole file stays well under a minute in the normal suite.
"""

import secrets
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from stdnum import luhn
from stdnum.cn import ric, uscc

from tests.factories import UserFactory, step_up_passed

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def request_signals_kept_off_the_connection(db):
    # The test holds the database in one transaction; the WSGI handler would close the connection
    # at the end of every request, as it does between requests in production. Django's own test
    # client switches this off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def citizen_credentials(request_signals_kept_off_the_connection):
    """A citizen's session cookie and CSRF token, with the step-up check passed in that session."""
    citizen = UserFactory(language="en")
    client = Client()
    client.force_login(citizen)
    step_up_passed(citizen, client=client)
    csrf = secrets.token_hex(16)  # a 32-character secret, as Django's CSRF cookie holds
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    headers = {"X-CSRFToken": csrf, "Accept-Language": "en"}
    return cookies, headers


# The schema's formats for numbers with a check digit (accounts/identity/api_fields.py), generated
# as a client would produce them: the right characters and a correct check digit.
def _resident_id(birth: date, sequence: int) -> str:
    body = f"110101{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # python-stdnum reads past a placeholder check digit


def _card(digits: str) -> str:
    return digits + luhn.calc_check_digit(digits)


def _uscc(digits: str) -> str:
    body = f"9111{digits}"
    return body + uscc.calc_check_digit(body)


schemathesis.openapi.format(
    "cn-resident-id",
    st.builds(_resident_id, st.dates(date(1930, 1, 1), date(2020, 12, 31)), st.integers(0, 999)),
)
schemathesis.openapi.format("cn-mobile", st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
schemathesis.openapi.format("bank-card", st.builds(_card, st.from_regex(r"\A62[0-9]{14}\Z")))
schemathesis.openapi.format("cn-uscc", st.builds(_uscc, st.from_regex(r"\A[0-9]{6}[0-9A-HJ-NPQRTUWXY]{7}\Z")))
schemathesis.openapi.format(
    "plain-text",
    st.text(st.characters(exclude_categories=["Cc", "Cf", "Cs"]), min_size=1, max_size=40).filter(str.strip),
)


# Read at collection: the schema view is open to anyone and touches no table.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_as_its_schema_says(case, citizen_credentials):
    cookies, headers = citizen_credentials
    # A WSGI server always names the client's address; the portal refuses a request without one.
    case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS, environ_base={"REMOTE_ADDR": "127.0.0.1"})


# The same schema for the acceptance check, without the strings schemathesis lifts from the
# portal's own source ("code", "rows"...): its validator does not know the formats above, so it
# would call "code" a valid bank card number. Every generated value still follows the schema.
valid_bodies_schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
valid_bodies_schema.config.analysis.constants.enabled = False


@valid_bodies_schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_a_body_the_schema_calls_valid_is_never_refused_as_malformed(case, citizen_credentials):
    # 404 (something named does not exist) and 409 (the person's data does not allow it) are
    # answers to valid bodies; 400 is not.
    cookies, headers = citizen_credentials
    case.call_and_validate(
        cookies=cookies,
        headers=headers,
        checks=[not_a_server_error, positive_data_acceptance],
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
