"""Issue #14 in a browser: an inbox message's link goes to the configured site; the message follows the language."""

import pytest
from django.db import transaction
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.identity.forms import FIELD_LABELS
from core.site import site_url
from notifications.services import notification_send
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECT = {
    "zh-hans": "您的更正已生效：请重新进行实名认证",
    "en": "Your correction was applied: please verify your identity again",
}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("first, then", [("zh-hans", "en"), ("en", "zh-hans")])
def test_a_message_link_opens_the_portal_and_the_message_follows_the_language(
    live_server, page: Page, settings, artifacts_dir, first, then, width
):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 800})
    # The live server is "the configured site": links written from SITE_URL must land on it.
    settings.SITE_URL = live_server.url
    person = UserFactory(language=first)
    with transaction.atomic():
        notification_send(
            recipient=person,
            kind="identity_reverification_needed",
            context={
                "field_label": FIELD_LABELS["legal_name"],
                "reference": "R-2026-0007",
                "verify_url": site_url(reverse("accounts:identity_verify")),
            },
        )
    give_browser_session(page.context, live_server, person)

    page.goto(live_server.url + "/inbox/")
    expect(page.locator("html")).to_have_attribute("lang", first)
    page.get_by_role("link", name=SUBJECT[first]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT[first])
    link = page.get_by_test_id("message-body").get_by_role("link")
    expect(link).to_have_attribute("href", f"{live_server.url}/account/identity/verify/")
    page.screenshot(path=str(artifacts_dir / f"inbox-message-{first}-{width}.png"), full_page=True)

    # Switching language rewrites the message itself, not just the page around it.
    page.get_by_label("语言" if first == "zh-hans" else "Language").select_option(then)
    expect(page.locator("html")).to_have_attribute("lang", then)
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT[then])
    page.screenshot(path=str(artifacts_dir / f"inbox-message-{then}-after-switch-{width}.png"), full_page=True)

    page.get_by_test_id("message-body").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/account/identity/verify/")
