import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from notifications.services import notification_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_with_messages():
    user = UserFactory(language="en")
    with transaction.atomic():
        notification_send(recipient=user, kind="welcome")
        notification_send(recipient=user, kind="welcome")
    return user


def test_inbox_needs_sign_in(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_citizen_sees_messages_and_unread_count(client, citizen_with_messages, django_assert_max_num_queries):
    client.force_login(citizen_with_messages)
    client.get("/inbox/")  # the session's first page records it and fills the process's tables
    # Session, the person with the unread count, the page's count and its messages, the consents:
    # constant, whatever the number of messages (two-factor state, policy notices and the incident
    # banner come from caches).
    with django_assert_max_num_queries(5):
        page = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Welcome to the citizens&#x27; privacy portal") == 2
    assert 'aria-label="2 unread messages"' in html
    assert page["Cache-Control"].count("no-store") == 1


def test_opening_a_message_marks_it_read(client, citizen_with_messages):
    message = citizen_with_messages.inbox_messages.first()
    client.force_login(citizen_with_messages)
    page = client.get(f"/inbox/{message.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "your account on the citizens" in page.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert 'aria-label="1 unread message"' in client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_badge_on_the_opened_message_counts_it_read(client, citizen_with_messages):
    # The count read with the person at the start of the request is stale once the page marks a message read.
    message = citizen_with_messages.inbox_messages.first()
    client.force_login(citizen_with_messages)
    client.get("/inbox/")
    page = client.get(f"/inbox/{message.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'aria-label="1 unread message"' in page
    assert 'aria-label="2 unread messages"' not in page


def test_the_badge_comes_with_the_person_without_a_count_of_its_own(client, citizen_with_messages):
    client.force_login(citizen_with_messages)
    client.get("/requests/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'aria-label="2 unread messages"' in page
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT COUNT(*) FROM "notifications_')]


def test_a_message_arriving_for_the_next_page_is_counted(client, citizen_with_messages):
    client.force_login(citizen_with_messages)
    client.get("/requests/")
    notification_send(recipient=citizen_with_messages, kind="welcome")
    assert 'aria-label="3 unread messages"' in client.get("/requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_mark_all_read(client, citizen_with_messages):
    client.force_login(citizen_with_messages)
    response = client.post("/inbox/read-all/")
    assert response.status_code == 302
    assert not citizen_with_messages.inbox_messages.filter(read_at__isnull=True).exists()


def test_another_persons_message_is_not_found(client, citizen_with_messages):
    message = citizen_with_messages.inbox_messages.first()
    client.force_login(UserFactory())
    assert client.get(f"/inbox/{message.pk}/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_api_lists_only_own_messages_and_marks_read(citizen_with_messages):
    other = UserFactory()
    api = APIClient()
    api.force_authenticate(other)
    assert api.get("/api/v1/inbox/").json()["count"] == 0
    message = citizen_with_messages.inbox_messages.first()
    assert api.post(f"/api/v1/inbox/{message.pk}/read/").status_code == 404

    api.force_authenticate(citizen_with_messages)
    listing = api.get("/api/v1/inbox/").json()
    assert listing["count"] == 2 and all(item["unread"] for item in listing["results"])
    marked = api.post(f"/api/v1/inbox/{message.pk}/read/")
    assert marked.status_code == 200 and marked.json()["unread"] is False


def test_api_refuses_anonymous_callers():
    assert APIClient().get("/api/v1/inbox/").status_code in (401, 403)
