"""The hot paths' fixed statements are planned once per connection and still show in the query log."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT count(*) FROM django_content_type WHERE app_label = %s"


def _prepared_copies() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM django_content_type WHERE app_label = $1%"],
        )
        return cursor.fetchone()[0]


def _run(app_label: str) -> int:
    with prepared_cursor(connection) as cursor:
        cursor.execute(STATEMENT, [app_label])
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL only")


def test_each_value_gets_its_own_answer_from_one_prepared_statement():
    auth, nothing = _run("auth"), _run("no-such-app")
    again = _run("auth")

    assert auth > 0
    assert nothing == 0
    assert again == auth
    assert _prepared_copies() == 1


def test_a_prepared_statement_is_logged_with_its_text():
    _run("auth")  # prepared by now: psycopg takes another path for the executions after the first

    with CaptureQueriesContext(connection) as captured:
        _run("auth")

    assert [query["sql"] for query in captured] == ["SELECT count(*) FROM django_content_type WHERE app_label = $1"]


def test_an_error_in_a_prepared_statement_is_djangos_error():
    with pytest.raises(DatabaseError), transaction.atomic(), prepared_cursor(connection) as cursor:
        cursor.execute("SELECT count(*) FROM no_such_table WHERE id = %s", [1])


def test_a_prepared_statement_is_planned_once():
    for app_label in ["auth", "consents", "accounts", "audit", "auth", "consents", "sessions", "admin"]:
        _run(app_label)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM django_content_type WHERE app_label = $1%"],
        )
        generic, custom = cursor.fetchone()
    # Eight executions, one plan: the generic one, made at the first and reused.
    assert (generic, custom) == (8, 0)
