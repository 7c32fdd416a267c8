"""Optional services in a real browser: enrol with the data the service asks for, then leave it."""

import pytest
from playwright.sync_api import Page, expect

from consents.models import Purpose, ServiceEnrolment
from consents.selectors import consent_check
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, live_server, user) -> None:
    give_browser_session(page.context, live_server, user)


def test_citizen_enrols_in_public_transport_and_leaves_it(live_server, page: Page, artifacts_dir):
    citizen = UserFactory(language="en")
    transport = Purpose.objects.get(code="service_public_transport")
    _sign_in(page, live_server, citizen)

    page.goto(live_server.url + "/privacy/services/")
    card = page.locator('[data-service="public_transport"]')
    expect(card).to_contain_text("Travel card number")
    expect(card.get_by_test_id("service-state")).to_contain_text("Not enrolled")
    card.get_by_role("link", name="Enrol in Public transport").click()

    expect(page.get_by_test_id("consent-statement")).to_contain_text("By enrolling, you agree")
    page.get_by_role("button", name="Give consent and enrol").click()
    expect(page.get_by_text("This field is required.", exact=True)).to_be_visible()  # nothing typed: nothing saved
    assert not ServiceEnrolment.objects.exists()
    page.get_by_label("Travel card number").fill("  TC-2026-0001 ")
    page.get_by_role("button", name="Give consent and enrol").click()

    expect(page.get_by_role("status")).to_contain_text("Enrolled in Public transport")
    card = page.locator('[data-service="public_transport"]')
    expect(card.get_by_test_id("service-state")).to_contain_text("Enrolled")
    page.screenshot(path=str(artifacts_dir / "consents-service-enrolled.png"), full_page=True)
    assert consent_check(subject=citizen, purpose=transport).allowed

    card.get_by_role("button", name="Leave Public transport").click()
    expect(page.get_by_role("status")).to_contain_text("the consent is withdrawn")
    expect(page.get_by_role("status")).to_contain_text("will be deleted after")
    expect(page.locator('[data-service="public_transport"]').get_by_test_id("service-state")).to_contain_text(
        "You left on"
    )
    page.screenshot(path=str(artifacts_dir / "consents-service-left.png"), full_page=True)
    assert not consent_check(subject=citizen, purpose=transport).allowed
    assert ServiceEnrolment.objects.get().state == ServiceEnrolment.State.LEFT
