"""A privacy officer reveals one masked field in admin, in a real browser, and the audit log shows it."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.identity.services import identity_profile_update
from accounts.roles import StaffRole
from accounts.services import staff_groups_ensure
from tests.e2e.sessions import give_browser_session
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "440106199003071231"
REASON = "Hotline ticket 2026-0412: the caller disputes a failed real-name check"


def _sign_in_verified(page: Page, live_server, user) -> None:
    give_browser_session(page.context, live_server, user, second_factor_passed=True)


def test_privacy_officer_reveals_an_id_number_and_the_audit_log_lists_it(live_server, page: Page, artifacts_dir):
    groups = staff_groups_ensure()
    # English, so the test does not depend on the translation of new strings.
    officer = UserFactory(is_staff=True, language="en")
    officer.groups.add(groups[StaffRole.PRIVACY_OFFICER])
    citizen = UserFactory()
    identity_profile_update(user=citizen, data={"legal_name": "王小明", "id_number": ID_NUMBER})
    profile_id = citizen.identity.pk
    _sign_in_verified(page, live_server, officer)

    page.goto(live_server.url + reverse("admin:accounts_identityprofile_change", args=[profile_id]))
    id_row = page.locator(".field-masked_id_number")
    expect(id_row).to_contain_text("4401**********1231")
    expect(page.locator("body")).not_to_contain_text(ID_NUMBER)
    expect(page.locator(".field-masked_legal_name")).to_contain_text("王**")
    page.screenshot(path=str(artifacts_dir / "staff-reveal-masked.png"), full_page=True)

    id_row.get_by_role("link", name="Reveal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reveal resident ID number")
    expect(page.locator("body")).not_to_contain_text(ID_NUMBER)

    # Too short a reason is refused, and nothing is shown.
    page.screenshot(path=str(artifacts_dir / "staff-reveal-form.png"), full_page=True)
    page.get_by_label("Reason").fill("checking")
    page.get_by_role("button", name="Reveal and record").click()
    expect(page.locator(".errorlist")).to_contain_text("at least 10 characters")
    expect(page.locator("body")).not_to_contain_text(ID_NUMBER)

    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Reveal and record").click()
    expect(page.locator("#revealed-value")).to_have_text(ID_NUMBER)
    assert ID_NUMBER not in page.url
    page.screenshot(path=str(artifacts_dir / "staff-reveal-revealed.png"), full_page=True)

    # Back on the record the number is masked again.
    page.get_by_role("link", name="Back to the record").click()
    expect(page.locator(".field-masked_id_number")).to_contain_text("4401**********1231")
    expect(page.locator("body")).not_to_contain_text(ID_NUMBER)

    # The audit log lists the reveal: who, whose, which field, why (a wide
    # screen, so the screenshot shows the details column).
    page.set_viewport_size({"width": 1800, "height": 720})
    page.goto(live_server.url + reverse("admin:audit_auditevent_changelist"))
    page.get_by_role("link", name="Only reveals of personal data").click()
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("personal_data.revealed")
    expect(row).to_contain_text(str(officer.pk))
    expect(row).to_contain_text(f"accounts.identityprofile #{profile_id}")
    expect(row).to_contain_text("field=id_number")
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text(f"subject_user_id={citizen.pk}")
    page.screenshot(path=str(artifacts_dir / "staff-reveal-audit-log.png"), full_page=True)
