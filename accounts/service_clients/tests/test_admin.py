"""Privacy officers register, change, deactivate and rotate service clients in admin; each step audited."""

import re

import pytest
from oauth2_provider.models import AccessToken

from accounts.roles import StaffRole
from accounts.service_clients.models import ServiceClient
from accounts.service_clients.scopes import CONSENT_CHECK, ERASURE
from accounts.tests.test_staff_enrolment import admin_session, staff_member, with_authenticator
from audit.models import AuditEvent

from .factories import access_token_obtain, service_client_register_for_test

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ADD = "/admin/accounts/serviceclient/add/"
LIST = "/admin/accounts/serviceclient/"
SECRET = re.compile(r'<code id="client-secret">([^<]+)</code>')
CLIENT_ID = re.compile(r'<code id="client-id">([^<]+)</code>')


@pytest.fixture
def officer_admin(client):
    return admin_session(client, with_authenticator(staff_member(StaffRole.PRIVACY_OFFICER)))


def test_an_officer_registers_a_client_and_sees_the_secret_once(officer_admin, client):
    page = officer_admin.post(ADD, {"name": "recommendations", "scopes": [CONSENT_CHECK]}, **EN)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    secret, client_id = SECRET.search(html).group(1), CLIENT_ID.search(html).group(1)
    registered = ServiceClient.objects.get(name="recommendations")
    assert registered.client_id == client_id and registered.scopes == [CONSENT_CHECK] and registered.active
    registered.application.refresh_from_db()
    assert secret not in registered.application.client_secret  # only a hash is kept
    assert access_token_obtain(registered, secret)
    # Never again: the change page and the list show the client id, not the secret.
    for url in (LIST, f"{LIST}{registered.pk}/change/"):
        assert secret not in officer_admin.get(url).content.decode()
    event = AuditEvent.objects.get(action="service_client.registered")
    assert event.target_id == str(registered.pk) and event.details == {"scopes": [CONSENT_CHECK]}


def test_an_unknown_or_missing_scope_is_a_field_error_and_nothing_is_saved(officer_admin):
    for scopes in ([], ["admin"]):
        page = officer_admin.post(ADD, {"name": "x", "scopes": scopes}, **EN)
        assert page.status_code == 200 and b"errorlist" in page.content
    assert not ServiceClient.objects.exists()
    assert not AccessToken.objects.exists()


def test_taking_a_scope_away_in_admin_revokes_the_tokens_and_is_audited(officer_admin):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK, ERASURE])
    access_token_obtain(service, secret)
    page = officer_admin.post(
        f"{LIST}{service.pk}/change/", {"name": service.name, "scopes": [ERASURE]}, follow=True, **EN
    )
    assert page.status_code == 200
    service.refresh_from_db()
    assert service.scopes == [ERASURE]
    assert not AccessToken.objects.exists()
    event = AuditEvent.objects.get(action="service_client.changed")
    assert event.details["scopes_removed"] == [CONSENT_CHECK] and event.details["tokens_revoked"] == 1


def test_deactivate_and_rotate_are_admin_actions(officer_admin):
    service, secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    rotated = officer_admin.post(LIST, {"action": "rotate_secret", "_selected_action": [service.pk]}, **EN)
    new_secret = SECRET.search(rotated.content.decode()).group(1)
    assert new_secret != secret and "no-store" in rotated["Cache-Control"]
    assert access_token_obtain(service, new_secret)
    officer_admin.post(LIST, {"action": "deactivate", "_selected_action": [service.pk]}, follow=True, **EN)
    service.refresh_from_db()
    assert not service.active and service.deactivated_at is not None
    assert not AccessToken.objects.exists()
    actions = set(AuditEvent.objects.filter(target_id=str(service.pk)).values_list("action", flat=True))
    assert {"service_client.secret_rotated", "service_client.deactivated"} <= actions


def test_nobody_deletes_a_client_and_only_officers_manage_them(client):
    service, _secret = service_client_register_for_test(scopes=[CONSENT_CHECK])
    officer = admin_session(client, with_authenticator(staff_member(StaffRole.PRIVACY_OFFICER)))
    assert officer.get(f"{LIST}{service.pk}/delete/").status_code == 403
    client.logout()
    support = admin_session(client, with_authenticator(staff_member(StaffRole.CUSTOMER_SERVICE)))
    assert support.get(LIST).status_code == 403
    assert support.post(ADD, {"name": "sneaky", "scopes": [CONSENT_CHECK]}).status_code == 403
    assert not ServiceClient.objects.filter(name="sneaky").exists()


def test_django_oauth_toolkit_admin_pages_are_not_there(officer_admin):
    for model in ("application", "accesstoken", "refreshtoken", "grant", "idtoken"):
        assert officer_admin.get(f"/admin/oauth2_provider/{model}/").status_code == 404
