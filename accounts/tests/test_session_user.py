"""The signed-in person of a session (accounts/session_user.py): one prepared read, Django's session rules kept.

The person is read by a compiled statement instead of ``ModelBackend.get_user``;
everything a session must still refuse is refused the same way: a changed
password, a deactivated or deleted account, a backend no longer configured,
and a hash made with a retired secret key is accepted once, under a new
session key.
"""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from accounts.identity import services as identity_services
from accounts.session_user import session_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


class OwnLoader:
    """A backend that loads people its own way: its sessions go through Django's get_user."""

    loaded: list = []

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        from accounts.models import User

        OwnLoader.loaded.append(user_id)
        return User.objects.filter(pk=user_id).first()


def _request_for(user, *, backend: str = MODEL_BACKEND):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    request = RequestFactory().get("/")
    request.session = SessionStore(session.session_key)
    return request


@pytest.mark.parametrize("backend", [MODEL_BACKEND, ALLAUTH_BACKEND])
def test_the_person_is_read_with_one_query(backend):
    person = UserFactory()
    request = _request_for(person, backend=backend)
    with CaptureQueriesContext(connection) as queries:
        user = session_user(request)
    assert user.pk == person.pk and user.is_authenticated
    assert user.username == person.username
    # Read by the portal's statement, not Django's get(pk=…): the header's count came with the person.
    assert user.session_inbox_unread == 0
    person_reads = [q for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(person_reads) == 1


def test_the_profile_comes_decrypted_with_the_person_and_the_header_asks_nothing_more():
    person = UserFactory()
    identity_services.identity_profile_update(
        user=person, data={"legal_name": "张三", "bank_card": "6222021234567890128"}
    )
    request = _request_for(person)
    user = session_user(request)
    with CaptureQueriesContext(connection) as queries:
        profile = user.identity
        assert (profile.legal_name, profile.bank_card) == ("张三", "6222021234567890128")
        assert user.session_email_verified is True  # the factory confirms the address
    assert queries.captured_queries == []


def test_a_password_changed_elsewhere_signs_the_session_out():
    person = UserFactory()
    request = _request_for(person)
    person.set_password("Another-Password-91")
    person.save()
    assert not session_user(request).is_authenticated
    # The session is emptied, not just ignored for this request.
    assert SESSION_KEY not in request.session


def test_a_deactivated_account_is_not_signed_in():
    person = UserFactory()
    request = _request_for(person)
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    assert not session_user(request).is_authenticated


def test_a_deleted_account_is_not_signed_in():
    person = UserFactory()
    request = _request_for(person)
    type(person).objects.filter(pk=person.pk).delete()
    assert not session_user(request).is_authenticated


def test_a_session_without_its_hash_is_signed_out():
    person = UserFactory()
    request = _request_for(person)
    del request.session[HASH_SESSION_KEY]
    assert not session_user(request).is_authenticated


def test_a_backend_no_longer_configured_is_not_trusted():
    person = UserFactory()
    request = _request_for(person, backend="accounts.tests.test_session_user.OwnLoader")
    assert not session_user(request).is_authenticated


def test_a_backend_with_its_own_loader_is_asked(settings):
    path = "accounts.tests.test_session_user.OwnLoader"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, path]
    OwnLoader.loaded = []
    person = UserFactory()
    request = _request_for(person, backend=path)
    assert session_user(request).pk == person.pk
    assert OwnLoader.loaded == [person.pk]


def test_a_hash_made_with_a_retired_secret_key_is_accepted_once_under_a_new_session_key():
    old_secret = settings.SECRET_KEY
    person = UserFactory()
    request = _request_for(person)
    old_session_key = request.session.session_key
    with override_settings(
        SECRET_KEY="a-new-secret-key-for-this-test-only-" + "x" * 20, SECRET_KEY_FALLBACKS=[old_secret]
    ):
        user = session_user(request)
        assert user.pk == person.pk
        assert request.session.session_key != old_session_key
        assert request.session[HASH_SESSION_KEY] == user.get_session_auth_hash()


def test_a_hash_made_with_an_unknown_secret_key_signs_the_session_out():
    person = UserFactory()
    request = _request_for(person)
    with override_settings(SECRET_KEY="a-new-secret-key-for-this-test-only-" + "y" * 20, SECRET_KEY_FALLBACKS=[]):
        assert not session_user(request).is_authenticated


def test_pages_see_the_signed_in_person(client):
    person = UserFactory()
    client.force_login(person)
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["id"] == person.pk
