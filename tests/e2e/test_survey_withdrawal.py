"""The one-click link in a survey invitation, in a real browser: confirm, withdrawn, already withdrawn, bad link."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from consents.models import ConsentState, SurveyInvitation
from consents.services import consent_grant
from consents.surveys import services as survey_services
from consents.surveys.selectors import survey_purpose
from notifications.models import InboxMessage
from tests.factories import CitizenFactory, StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LINK_PATH = re.compile(r"/privacy/surveys/stop/[^/\s]+/")

TEXTS = {
    "en": {
        "confirm": "Withdraw my consent to surveys",
        "withdrawn": "Consent to surveys withdrawn",
        "already": "Already withdrawn",
        "invalid": "This link does not work",
    },
    "zh-hans": {
        "confirm": "撤回我对参与调查的同意",
        "withdrawn": "已撤回对参与调查的同意",
        "already": "已经撤回",
        "invalid": "此链接无法使用",
    },
}


def _invited(language: str):
    person = CitizenFactory(language=language)
    consent_grant(subject=person, purpose=survey_purpose())
    invitation = SurveyInvitation.objects.create(
        title_zh="门户满意度调查",
        title_en="Portal satisfaction survey",
        text_zh="请告诉我们您的使用感受。",
        text_en="Tell us how the portal works for you.",
        survey_url="https://survey.example.cn/portal",
    )
    officer = StaffFactory(is_superuser=True)
    survey_services.survey_invitation_send(invitation=invitation, actor=officer)
    invitation.refresh_from_db()
    survey_services.survey_invitation_fan_out_run(invitation=invitation)
    path = LINK_PATH.search(InboxMessage.objects.get(recipient=person).body).group(0)
    return person, path


def _no_axe_violations(page: Page) -> None:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    assert results["violations"] == [], [violation["id"] for violation in results["violations"]]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_invitation_link_withdraws_the_survey_consent_in_one_click(live_server, browser, artifacts_dir, language):
    person, path = _invited(language)
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    texts = TEXTS[language]

    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200
    confirm = page.get_by_role("button", name=texts["confirm"])
    expect(confirm).to_be_visible()
    _no_axe_violations(page)
    page.screenshot(path=str(artifacts_dir / f"survey-withdraw-{language}.png"), full_page=True)

    confirm.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(texts["withdrawn"])
    _no_axe_violations(page)
    state = ConsentState.objects.get(subject=person, purpose=survey_purpose(), partner=None)
    assert not state.granted

    # The same link again: already withdrawn, nothing to press.
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["already"])
    expect(page.get_by_role("button", name=texts["confirm"])).to_have_count(0)

    tampered = page.goto(live_server.url + path.replace("/stop/", "/stop/x"))
    assert tampered is not None and tampered.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text(texts["invalid"])
    _no_axe_violations(page)
    context.close()
