"""Service clients for tests, built through the real services and the real token endpoint."""

import itertools

from django.test import Client

from accounts.service_clients.models import ServiceClient
from accounts.service_clients.services import service_client_register

_numbers = itertools.count(1)


def _privacy_officer():
    from django.contrib.auth.models import Permission

    from accounts.models import User

    officer, created = User.objects.get_or_create(
        username="service-client-registrar", defaults={"is_staff": True, "email": "registrar@example.cn"}
    )
    if created:
        officer.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="accounts", codename__in=["add_serviceclient", "change_serviceclient"]
            )
        )
        officer = User.objects.get(pk=officer.pk)  # drop the permission cache
    return officer


def service_client_register_for_test(*, scopes, name: str | None = None) -> tuple[ServiceClient, str]:
    """A registered client and its (plain) secret."""
    name = name or f"test service {next(_numbers)}"
    return service_client_register(actor=_privacy_officer(), name=name, scopes=scopes)


def access_token_obtain(client: ServiceClient, secret: str, *, scope: str | None = None) -> str:
    """A token from POST /o/token/, as a service gets one (client credentials in HTTP Basic)."""
    import base64

    basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    response = Client().post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def service_client_with_token(*, scopes, name: str | None = None) -> tuple[ServiceClient, str]:
    """A registered, active client with ``scopes`` and a valid access token string for it."""
    client, secret = service_client_register_for_test(scopes=scopes, name=name)
    return client, access_token_obtain(client, secret)
