"""The export's summary.html, opened from a real ZIP in Chromium on a desktop and on a phone."""

import io
import shutil
import zipfile

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.activity.devices import device_name
from accounts.models import IdentityProfile, LoginActivity
from consents.models import Purpose
from consents.services import consent_grant, consent_withdraw
from privacy_requests import services as request_services
from privacy_requests.exports import services as export_services
from privacy_requests.models import ExportFile, RequestKind
from tests.factories import CitizenFactory, StaffFactory, step_up_passed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

DESKTOP, PHONE = 1280, 390
# What overflows a careless table: long unbroken strings (a checksum, a web address). The user agent is one
# too in the JSON; the summary names the device instead ("Chrome 131 on Android").
LONG_DEVICE = (
    "Mozilla/5.0(Linux;Android14;Pixel8Pro)AppleWebKit/537.36(KHTML,likeGecko)Chrome/131.0.0.0MobileSafari/537.36"
)
LONG_NOTE = "https://example.cn/" + "a-very-long-path-segment-without-any-spaces" * 4


def _summary(tmp_path, settings, language: str):
    """Build the export the way a worker does and unpack its summary.html into ``tmp_path``."""
    settings.MEDIA_ROOT = tmp_path / "media"
    person = CitizenFactory(language=language, phone="13800138000")
    IdentityProfile.objects.create(user=person, legal_name="张三", id_number="11010519491231002X", verification_level=2)
    LoginActivity.objects.create(user=person, ip_prefix="203.0.113.0/24", user_agent=LONG_DEVICE, method="password")
    purpose = Purpose.objects.filter(kind="optional", sensitive=False).exclude(code="cookies_analytics").first()
    consent_grant(subject=person, purpose=purpose, actor=person)
    consent_withdraw(subject=person, purpose=purpose, actor=person)
    request = request_services.privacy_request_create(
        requester=person, kind=RequestKind.EXPORT, details={"note": LONG_NOTE}, identity_check=step_up_passed(person)
    )
    staff = StaffFactory()
    request_services.privacy_request_start_review(request=request, actor=staff)
    request_services.privacy_request_complete(request=request, actor=staff, answer="Here is your data.")
    export = ExportFile.objects.get(request=request)
    export_services.export_build_run(export_id=export.pk)
    export.refresh_from_db()
    with export_services.export_storage().open(export.file_name, "rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    folder = tmp_path / f"export-{language}"
    folder.mkdir()
    archive.extractall(folder)
    return folder / "summary.html", purpose


def _sideways_scroll(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _cell_label(page: Page, selector: str) -> str:
    """The label a phone shows above a stacked cell (its ::before content)."""
    return page.eval_on_selector(selector, "cell => getComputedStyle(cell, '::before').content")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_summary_reads_without_sideways_scroll_on_a_desktop_and_a_phone(
    page: Page, tmp_path, settings, artifacts_dir, language
):
    summary, purpose = _summary(tmp_path, settings, language)
    # Kept beside the screenshots, for reading the whole page.
    shutil.copy(summary, artifacts_dir / f"export-summary-{language}.html")
    with translation.override(language):
        device_label = translation.gettext("Device and browser")
        account_label = translation.gettext("Account name")
        withdrawn = translation.gettext("Withdrawn")
        # The summary names the device and the purpose; the JSON keeps the user agent and the purpose's code.
        device = device_name(LONG_DEVICE)
        purpose_name = purpose.name
        about_heading = translation.gettext("What we hold, why, and for how long")
        about_columns = [translation.gettext(text) for text in ("Why we hold it", "Legal basis", "How long we keep it")]

    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(summary.as_uri())
        assert _sideways_scroll(page) <= 0, f"{width} px: the page scrolls sideways"
        # First, what each category is, why it is held, on what basis and for how long.
        expect(page.locator("h2").first).to_have_text(about_heading)
        about = page.locator("#about + table")
        if width == DESKTOP:
            for column in about_columns:
                expect(about.get_by_role("columnheader", name=column)).to_be_visible()
        # Sign-in activity is deleted after 183 days (its retention rule), in words of the reader's language.
        expect(about.locator("tr", has=page.locator("a[href='#sign_in_activity']")).get_by_text("183")).to_be_visible()
        profile = page.locator("#profile + p + .records table.record")
        expect(profile.get_by_role("rowheader", name=account_label)).to_be_visible()
        ledger = page.locator("#consent_ledger + p + .records")
        expect(ledger.get_by_text(withdrawn, exact=True)).to_be_visible()
        expect(ledger.get_by_text(purpose_name, exact=True).first).to_be_visible()
        expect(ledger.get_by_text(purpose.code, exact=True)).to_have_count(0)
        sign_ins = page.locator("#sign_in_activity + p + table")
        expect(sign_ins.get_by_text(device, exact=True)).to_be_visible()
        if width == DESKTOP:
            expect(sign_ins.get_by_role("columnheader", name=device_label)).to_be_visible()
        else:
            # Stacked: the column headings are hidden and each cell carries its label.
            assert sign_ins.locator("thead").evaluate("head => head.getBoundingClientRect().width") <= 1
            assert device_label in _cell_label(page, "#sign_in_activity + p + table td[data-label]:nth-child(3)")
        page.screenshot(path=str(artifacts_dir / f"export-summary-{language}-{width}.png"), full_page=True)
