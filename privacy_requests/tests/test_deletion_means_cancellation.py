"""Issue #15: a deletion never closes the account; the account's scope leads into cancellation,
whose outcome stays readable afterwards through the final email and its signed, expiring link."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from personal_data.registry import personal_data_categories
from privacy_requests import services
from privacy_requests.cancellation import outcome_links
from privacy_requests.cancellation import services as cancellation
from privacy_requests.models import PrivacyRequest, RequestKind
from tests.factories import CitizenFactory, step_up_passed

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NEW_DELETION = "/requests/new/deletion/"
EXPLANATION = "/requests/new/deletion/account/"


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    step_up_passed(citizen, client=client)
    return client


# -- The deletion form -----------------------------------------------------------------------------


def test_the_form_says_a_deletion_never_closes_the_account(signed_in):
    page = signed_in.get(NEW_DELETION, **EN).content.decode()
    assert 'data-testid="deletion-account-note"' in page and "never closes your account" in page


@pytest.mark.parametrize("chosen", [[], ["profile"], ["profile", "sign_in_activity"]])
def test_the_account_scope_or_nothing_leads_to_the_explanation_and_files_nothing(signed_in, citizen, chosen):
    response = signed_in.post(NEW_DELETION, {"categories": chosen}, **EN)
    assert response.status_code == 302 and response["Location"] == EXPLANATION
    assert not PrivacyRequest.objects.filter(requester=citizen).exists()
    assert User.objects.get(pk=citizen.pk).is_active


def test_the_explanation_leads_into_cancellation_in_both_languages(signed_in, citizen, settings):
    settings.PRIVACY_CANCELLATION_COOLING_OFF_DAYS = 7
    page = signed_in.get(EXPLANATION, **EN).content.decode()
    assert "Deleting your account means cancelling it" in page
    assert "For 7 days after you confirm, you can change your mind" in page
    assert "we email you the outcome in full" in page
    assert f'href="{reverse("privacy_requests:cancellation:confirm")}"' in page
    citizen.language = "zh-hans"
    citizen.save(update_fields=["language"])
    page = signed_in.get(EXPLANATION).content.decode()
    assert "删除账户即注销账户" in page and "继续注销账户" in page


def test_keeping_the_account_files_a_deletion_of_everything_else(signed_in, citizen):
    page = signed_in.get(EXPLANATION, **EN).content.decode()
    others = re.findall(r'name="categories" value="([^"]+)"', page)
    assert "profile" not in others and len(others) == len(personal_data_categories()) - 1
    response = signed_in.post(NEW_DELETION, {"categories": others}, **EN)
    filed = PrivacyRequest.objects.get(requester=citizen, kind=RequestKind.DELETION)
    assert response["Location"] == reverse("privacy_requests:detail", args=[filed.pk])
    assert "profile" not in services.request_details(filed)["categories"]


def test_the_explanation_needs_a_signed_in_person():
    assert Client().get(EXPLANATION)["Location"].startswith("/accounts/login/")


def test_the_api_refuses_a_deletion_of_the_account_and_points_to_cancellation(api, citizen):
    step_up_passed(citizen, client=api)
    for details in ({}, {"categories": ["profile"]}):
        response = api.post("/api/v1/requests/", {"kind": "deletion", "details": details}, format="json", **EN)
        # Well formed, but what it asks is account cancellation's to do: a conflict, not a malformed body.
        assert response.status_code == 409
        assert "means cancelling your account" in response.json()["details"]["categories"][0]
    assert not PrivacyRequest.objects.exists()
    response = api.post(
        "/api/v1/requests/", {"kind": "deletion", "details": {"categories": ["sign_in_activity"]}}, format="json"
    )
    assert response.status_code == 201


# -- After the cancellation: the outcome stays readable ---------------------------------------------


@pytest.fixture
def cancelled(staff, django_capture_on_commit_callbacks):
    """A completed cancellation of a citizen's account, with its final email in ``mail.outbox``."""
    person = CitizenFactory(email="zhao.lei@example.cn")
    request = cancellation.cancellation_request(user=person, identity_check=step_up_passed(person))
    PrivacyRequest.objects.filter(pk=request.pk).update(cooling_off_until=timezone.now() - timedelta(minutes=1))
    request.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_complete(request=request, actor=staff)
    request.refresh_from_db()
    return request


def final_email(request):
    [last] = [m for m in mail.outbox if request.reference in m.subject and "cancelled" in m.subject]
    return last


def test_the_final_email_carries_the_outcome_in_full_and_a_link(cancelled):
    body = final_email(cancelled).body
    assert "What we did with each category of your data:" in body
    assert "- Account and identity profile: Anonymised" in body
    assert "- Sign-in activity: Deleted" in body
    assert re.search(r"for 30 days, without signing in: http\S+/requests/cancel/outcome/\S+/", body)


def outcome_link(request) -> str:
    return re.search(r"(/requests/cancel/outcome/\S+/)", final_email(request).body).group(1)


def test_the_link_shows_the_outcome_without_signing_in_and_is_never_cached(cancelled):
    response = Client().get(outcome_link(cancelled), **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert cancelled.reference in page and 'data-testid="outcome-rows"' in page
    assert "Account and identity profile" in page and "We deleted or anonymised all your data." in page
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "no-referrer"


def test_a_changed_link_is_a_clear_404(cancelled):
    link = outcome_link(cancelled)
    for bad in (link[:-3] + "xx/", "/requests/cancel/outcome/nonsense/"):
        response = Client().get(bad, **EN)
        assert response.status_code == 404
        assert "The link is incomplete or was changed" in response.content.decode()


def test_an_expired_link_is_a_clear_410(cancelled):
    link = outcome_link(cancelled)
    later = timezone.now() + timedelta(days=outcome_links.DEFAULT_OUTCOME_LINK_DAYS + 1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = Client().get(link, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 410
    assert "此链接已过期" in response.content.decode()


def test_a_signed_link_to_anything_but_a_completed_cancellation_is_404(citizen):
    other = services.privacy_request_create(
        requester=citizen,
        kind=RequestKind.DELETION,
        details={"categories": ["sign_in_activity"]},
        identity_check=step_up_passed(citizen),
    )
    token = outcome_links.outcome_token(request=other)
    assert Client().get(f"/requests/cancel/outcome/{token}/").status_code == 404
    forged = signing.dumps({"request": other.pk}, salt="some.other.salt")
    assert Client().get(f"/requests/cancel/outcome/{forged}/").status_code == 404
