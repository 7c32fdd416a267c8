"""Pages that take ``next`` finish the action and go to their own page when ``next`` is not a local path."""

import pytest

from consents.cookies.selectors import CHOICE_COOKIE, REFUSE
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "x y", "１２", "<x>"])
def test_the_cookie_choice_is_kept_and_the_person_lands_on_the_settings_page(client, value):
    response = client.post("/privacy/cookies/choose/", {"choice": "refuse", "next": value})
    assert response.status_code == 302
    assert response.url == "/privacy/cookies/"
    assert client.cookies[CHOICE_COOKIE].value == REFUSE


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "-1", "<x>"])
def test_the_step_up_page_ignores_a_next_that_is_not_a_path(verified_client, value):
    page = verified_client(UserFactory()).get("/account/two-factor/step-up/", {"next": value})
    assert page.status_code == 200
    assert f'value="{value}"' not in page.content.decode()
