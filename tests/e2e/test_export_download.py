"""A citizen files an export request in the browser, staff complete it, the citizen downloads the ZIP."""

import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import IdentityProfile, LoginActivity, StepUpCheck
from privacy_requests import services
from privacy_requests.models import ExportFile, PrivacyRequest
from tests.e2e.test_consents_dashboard import authenticator_code, sign_in_with_authenticator
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "11010519491231002X"


def test_citizen_files_an_export_request_and_downloads_the_zip(
    live_server, page: Page, artifacts_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    citizen = UserFactory(language="en")
    IdentityProfile.objects.create(user=citizen, legal_name="张三", id_number=ID_NUMBER, verification_level=2)
    LoginActivity.objects.create(user=citizen, ip_prefix="203.0.113.0/24", user_agent="e2e browser", method="password")
    device = TOTPDevice.objects.create(user=citizen, name="authenticator", confirmed=True)
    sign_in_with_authenticator(page, live_server, citizen, device)
    # Signing in counted as a fresh check; let it age so filing the request asks for a new code.
    StepUpCheck.objects.filter(user=citizen).update(verified_at=timezone.now() - timedelta(minutes=30))

    # File the request: the step-up check comes first.
    page.goto(live_server.url + "/requests/new/export/")
    page.wait_for_url(re.compile(r".*/account/two-factor/step-up/.*"))
    page.locator("input[name=totp-code]").fill(authenticator_code(device))
    page.locator("input[name=totp-code]").press("Enter")
    page.wait_for_url(re.compile(r".*/requests/new/export/.*"))
    page.get_by_test_id("submit-request").click()
    page.wait_for_url(re.compile(r".*/requests/\d+/$"))
    request = PrivacyRequest.objects.get(requester=citizen, kind="export")
    assert request.identity_check is not None and request.identity_check.method == "totp"

    # Staff complete it; the build runs after commit (in-process here, a worker in production).
    staff = UserFactory(is_staff=True)
    services.privacy_request_start_review(request=request, actor=staff)
    services.privacy_request_complete(request=request, actor=staff, answer="Your data is attached.")
    export = ExportFile.objects.get(request=request)
    assert export.state == ExportFile.State.READY

    # The citizen finds it from the request, sees it ready, and downloads it.
    page.reload()
    page.get_by_test_id("export-progress-link").click()
    page.wait_for_url(re.compile(rf".*/requests/exports/{export.pk}/$"))
    expect(page.get_by_test_id("export-state")).to_contain_text("Ready to download")
    page.screenshot(path=str(artifacts_dir / "export-ready.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_test_id("export-download").click()
    download = download_info.value
    assert download.suggested_filename == f"personal-data-{request.reference}.zip"
    saved = tmp_path / "download.zip"
    download.save_as(saved)

    with zipfile.ZipFile(saved) as archive:
        assert {"summary.html", "README.txt", "profile.json", "profile.csv"} <= set(archive.namelist())
        profile = json.loads(archive.read("profile.json"))
        assert profile[0]["id_number"] == ID_NUMBER
        sign_ins = json.loads(archive.read("sign_in_activity.json"))
        assert [row["device"] for row in sign_ins] == ["e2e browser"]
    export.refresh_from_db()
    assert export.downloaded_at is not None
