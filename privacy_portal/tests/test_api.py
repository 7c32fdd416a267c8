import pytest
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.test import APIClient

from accounts.service_clients.permissions import HasServiceScope
from accounts.service_clients.scopes import INTERESTS_WRITE
from notifications.services import notification_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_api_root_and_schema_are_public():
    api = APIClient()
    assert api.get("/api/v1/").json() == {"version": "v1"}
    schema = api.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/inbox/" in schema.content


def test_api_docs_page_loads_without_inline_script(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert b"<script src=" in page.content
    assert b"<script>\n" not in page.content


def test_default_permission_is_authenticated():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]
    response = APIClient().get("/api/v1/inbox/")
    assert response.status_code in (401, 403)
    assert "request_id" in response.json()


def test_session_authenticated_writes_need_the_csrf_token():
    user = UserFactory()
    message, _ = notification_send(recipient=user, kind="welcome")
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(user)
    refused = api.post(f"/api/v1/inbox/{message.pk}/read/")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    api.get("/api/v1/inbox/")  # any page sets the CSRF cookie
    page = api.get("/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else api.cookies["csrftoken"].value
    accepted = api.post(f"/api/v1/inbox/{message.pk}/read/", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


@pytest.mark.urls("privacy_portal.tests.test_api")
def test_bearer_authenticated_services_do_not_need_csrf(service_client):
    _client, token = service_client(scopes=[INTERESTS_WRITE])
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post("/api/v1/service-echo/", {"a": 1}, format="json").status_code == 200


def test_a_service_token_opens_no_citizen_endpoint(service_client):
    _client, token = service_client(scopes=[INTERESTS_WRITE])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/inbox/").status_code == 403


@api_view(["POST"])
def _echo(request):
    return Response({"received": request.data})


@api_view(["POST"])
@permission_classes([HasServiceScope(INTERESTS_WRITE)])
def _service_echo(request):
    return Response({"received": request.data})


urlpatterns = [
    path("api/v1/echo/", _echo),
    path("api/v1/service-echo/", _service_echo),
    path("", include("privacy_portal.urls")),
]


@pytest.mark.urls("privacy_portal.tests.test_api")
@pytest.mark.parametrize(
    ("language", "text"), [("en", "The request body is not valid JSON."), ("zh-hans", "请求内容不是有效的 JSON。")]
)
def test_broken_json_gets_a_clear_translated_400(language, text):
    api = APIClient()
    api.force_authenticate(UserFactory())
    response = api.post(
        "/api/v1/echo/", data="{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert response.json()["detail"] == text


def test_api_throttling_is_on():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
