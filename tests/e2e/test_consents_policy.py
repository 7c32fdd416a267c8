"""The material-policy answer page in a real browser: read the summary, see the diff, accept, go on."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from consents.models import ConsentAction, ConsentEvent, PolicyVersion
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server, user) -> None:
    give_browser_session(page.context, live_server, user)


def _material_version_in_effect() -> PolicyVersion:
    now = timezone.now()
    first = PolicyVersion.objects.get(version="2026.1")
    return PolicyVersion.objects.create(
        version="2026.2",
        text_zh=first.text_zh + "\n## 十一、人脸识别合作方\n新增内容。",
        text_en=first.text_en + "\n## 11. Face-recognition partner\nSomething new.",
        summary_zh="新增人脸识别合作方条款。",
        summary_en="Adds a clause on the face-recognition partner.",
        material=True,
        published_at=now - datetime.timedelta(days=30),
        effective_at=now - datetime.timedelta(hours=1),
    )


def test_citizen_reads_and_accepts_the_new_policy_then_reaches_the_page(live_server, page: Page, artifacts_dir):
    version = _material_version_in_effect()
    citizen = UserFactory(language="en", date_joined=timezone.now() - datetime.timedelta(days=365))
    _sign_in(page, live_server, citizen)

    # The page opens; a banner that blocks nothing leads to the answer.
    page.goto(live_server.url + "/privacy/services/")
    expect(page).to_have_url(f"{live_server.url}/privacy/services/")
    page.get_by_test_id("policy-pending-banner").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/privacy/policy/accept/?next=/privacy/services/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The privacy policy has changed")
    expect(page.get_by_test_id("policy-summary")).to_contain_text("Adds a clause on the face-recognition partner.")
    diff_link = page.get_by_test_id("policy-diff-link")
    expect(diff_link).to_have_attribute("href", "/policy/2026.2/changes/")
    page.screenshot(path=str(artifacts_dir / "consents-policy-interstitial.png"), full_page=True)

    # The diff is readable before answering.
    diff_link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What changed in version 2026.2")
    expect(page.locator(".policy-diff ins").first).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="I have read and accept").click()
    expect(page).to_have_url(f"{live_server.url}/privacy/services/")
    expect(page.get_by_role("status")).to_contain_text("You accepted version 2026.2 of the privacy policy.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Optional services")
    expect(page.get_by_test_id("policy-pending-banner")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "consents-policy-accepted.png"), full_page=True)

    event = ConsentEvent.objects.get(subject=citizen)
    assert (event.action, event.policy_version_id) == (ConsentAction.RECONFIRMED, version.pk)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/")


def test_banner_announces_an_upcoming_version(live_server, page: Page, artifacts_dir):
    now = timezone.now()
    first = PolicyVersion.objects.get(version="2026.1")
    PolicyVersion.objects.create(
        version="2026.3",
        text_zh=first.text_zh,
        text_en=first.text_en + "\nMore.",
        summary_en="Small wording changes.",
        material=False,
        published_at=now - datetime.timedelta(days=1),
        effective_at=now + datetime.timedelta(days=30),
    )
    citizen = UserFactory(language="en")
    _sign_in(page, live_server, citizen)
    page.goto(live_server.url + "/")
    banner = page.get_by_test_id("policy-banner")
    expect(banner).to_contain_text("version 2026.3 takes effect on")
    banner.get_by_role("link", name="See what changes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("What changed in version 2026.3")
    page.screenshot(path=str(artifacts_dir / "consents-policy-banner.png"), full_page=True)
