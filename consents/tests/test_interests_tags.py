"""Interest tags: kept only with consent to recommendations, visible, deletable; labelled suggestions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from rest_framework.test import APIClient

from audit.models import AuditEvent
from consents.models import ConsentChannel, InterestTag, OptionalService
from consents.personalisation import services
from consents.personalisation.selectors import recommendations_allowed, recommendations_for
from consents.services import ConsentError
from consents.table_caches import catalogue_cached
from tests.factories import GuardianLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
API = "/api/v1/consents/interests/"


def opt_in(user):
    services.recommendations_opt_in(subject=user, actor=user, channel=ConsentChannel.WEB)


def tags_of(user):
    return sorted(InterestTag.objects.filter(user=user).values_list("tag", flat=True))


# -- The services -------------------------------------------------------------------------------------


def test_no_tag_is_kept_without_consent_to_recommendations(citizen):
    assert services.interest_tag_add(user=citizen, tag="transport") is None
    assert not InterestTag.objects.exists()


def test_with_consent_tags_are_kept_once_and_tidied(citizen):
    opt_in(citizen)
    first = services.interest_tag_add(user=citizen, tag="  Public   Transport ")
    again = services.interest_tag_add(user=citizen, tag="public transport")
    assert first.pk == again.pk and tags_of(citizen) == ["public transport"]


@pytest.mark.parametrize("tag", ["", "   ", "x" * 51])
def test_empty_or_long_tags_are_refused(citizen, tag):
    opt_in(citizen)
    with pytest.raises(services.InterestTagInvalid):
        services.interest_tag_add(user=citizen, tag=tag)


def test_opting_out_withdraws_at_once_and_deletes_the_tags(citizen):
    opt_in(citizen)
    services.interest_tag_add(user=citizen, tag="taxation")
    deleted = services.recommendations_opt_out(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    assert deleted == 1 and not InterestTag.objects.exists()
    assert not recommendations_allowed(user=citizen)
    assert services.interest_tag_add(user=citizen, tag="taxation") is None


def test_a_minor_cannot_opt_in_alone_but_the_guardian_can(citizen):
    minor = UserFactory(is_minor=True)
    with pytest.raises(ConsentError):
        opt_in(minor)
    GuardianLinkFactory(guardian=citizen, minor=minor)
    services.recommendations_opt_in(subject=minor, actor=citizen, channel=ConsentChannel.GUARDIAN)
    assert services.interest_tag_add(user=minor, tag="transport") is not None


def test_deletions_are_audited_without_the_tags(citizen):
    opt_in(citizen)
    tag = services.interest_tag_add(user=citizen, tag="housing")
    tag_id = tag.pk
    services.interest_tag_add(user=citizen, tag="tax")
    services.interest_tag_delete(tag=tag, actor=citizen)
    services.interest_tags_delete_all(user=citizen, actor=citizen)
    events = AuditEvent.objects.filter(action__startswith="interests.").order_by("id")
    assert list(events.values_list("details", flat=True)) == [{"tag_id": tag_id}, {"count": 1}]


# -- Recommendations ----------------------------------------------------------------------------------


def test_recommendations_match_tags_to_services_and_skip_none_without_consent(citizen):
    assert recommendations_for(user=citizen) is None
    opt_in(citizen)
    assert recommendations_for(user=citizen) == []
    for tag in ("transport", "公积金", "taxation", "social security", "weather"):
        services.interest_tag_add(user=citizen, tag=tag)
    suggestions = recommendations_for(user=citizen)
    assert len(suggestions) == 3
    codes = {item.service.code for item in suggestions}
    assert codes <= {"public_transport", "provident_fund", "taxation", "social_security"}
    assert all(item.because for item in suggestions)


def render_for_you(user, language="en"):
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return Template("{% load consent_panels_interests %}{% recommendations_for_you %}").render(
            Context({"request": request})
        )


def test_for_you_is_labelled_and_links_to_switching_off(citizen):
    opt_in(citizen)
    services.interest_tag_add(user=citizen, tag="transport")
    html = render_for_you(citizen)
    assert "Personalised for you" in html and 'data-testid="personalised-label"' in html
    assert OptionalService.objects.get(code="public_transport").name_en in html
    assert 'href="/privacy/interests/"' in html


def test_for_you_renders_nothing_without_consent_or_for_anonymous_visitors(citizen):
    assert render_for_you(citizen).strip() == ""
    assert render_for_you(AnonymousUser()).strip() == ""
    opt_in(citizen)
    services.interest_tag_add(user=citizen, tag="transport")
    services.recommendations_opt_out(subject=citizen, actor=citizen, channel=ConsentChannel.WEB)
    assert render_for_you(citizen).strip() == ""


def test_for_you_uses_a_fixed_number_of_queries(citizen, django_assert_max_num_queries):
    opt_in(citizen)
    for n in range(30):
        InterestTag.objects.create(user=citizen, tag=f"interest {n}")
    catalogue_cached()  # warm, as in a serving process: the purposes are not read per page
    with django_assert_max_num_queries(4):
        render_for_you(citizen)


# -- The pages ----------------------------------------------------------------------------------------


def test_the_page_lists_ones_own_tags_and_deletes_one(client, citizen):
    opt_in(citizen)
    keep = services.interest_tag_add(user=citizen, tag="housing")
    drop = services.interest_tag_add(user=citizen, tag="taxation")
    other = UserFactory()
    opt_in(other)
    services.interest_tag_add(user=other, tag="secret interest")
    client.force_login(citizen)
    html = client.get("/privacy/interests/", **EN).content.decode()
    assert "housing" in html and "taxation" in html and "secret interest" not in html
    assert "Personalised for you" in html
    client.post(f"/privacy/interests/{drop.pk}/delete/")
    assert list(InterestTag.objects.filter(user=citizen)) == [keep]


def test_another_persons_tag_is_404_on_the_page(client, citizen):
    other = UserFactory()
    opt_in(other)
    theirs = services.interest_tag_add(user=other, tag="secret interest")
    client.force_login(citizen)
    assert client.post(f"/privacy/interests/{theirs.pk}/delete/").status_code == 404
    assert InterestTag.objects.filter(pk=theirs.pk).exists()


def test_delete_all_on_the_page(client, citizen):
    opt_in(citizen)
    services.interest_tag_add(user=citizen, tag="housing")
    services.interest_tag_add(user=citizen, tag="taxation")
    client.force_login(citizen)
    client.post("/privacy/interests/delete-all/", {"next": "/privacy/"})
    assert not InterestTag.objects.filter(user=citizen).exists()
    assert "2 interests were deleted" in client.get("/privacy/interests/", **EN).content.decode()


def test_the_opt_out_is_one_click(client, citizen):
    opt_in(citizen)
    services.interest_tag_add(user=citizen, tag="housing")
    client.force_login(citizen)
    response = client.post("/privacy/interests/recommendations/", {"choice": "off", "next": "/privacy/"})
    assert response["Location"] == "/privacy/"
    assert not recommendations_allowed(user=citizen) and not InterestTag.objects.exists()
    client.post("/privacy/interests/recommendations/", {"choice": "on"})
    assert recommendations_allowed(user=citizen)


def test_interest_pages_need_sign_in_and_posts(client, citizen):
    assert client.get("/privacy/interests/")["Location"].startswith("/accounts/login/")
    assert client.post("/privacy/interests/delete-all/")["Location"].startswith("/accounts/login/")
    client.force_login(citizen)
    assert client.get("/privacy/interests/delete-all/").status_code == 405


def test_a_guardian_manages_the_wards_tags_from_the_panel(client, citizen):
    minor = UserFactory(is_minor=True)
    GuardianLinkFactory(guardian=citizen, minor=minor)
    services.recommendations_opt_in(subject=minor, actor=citizen, channel=ConsentChannel.GUARDIAN)
    tag = services.interest_tag_add(user=minor, tag="transport")
    request = RequestFactory().get("/privacy/for/1/")
    request.user = citizen
    html = Template("{% load consent_panels_interests %}{% interests_panel %}").render(
        Context({"request": request, "subject": minor, "csrf_token": "t"})
    )
    assert "transport" in html and f'name="subject" value="{minor.pk}"' in html
    client.force_login(citizen)
    client.post(f"/privacy/interests/{tag.pk}/delete/", {"subject": minor.pk})
    assert not InterestTag.objects.filter(user=minor).exists()


def test_the_panel_reads_in_two_queries(citizen, django_assert_num_queries):
    opt_in(citizen)
    for n in range(10):
        InterestTag.objects.create(user=citizen, tag=f"interest {n}")
    request = RequestFactory().get("/privacy/", HTTP_ACCEPT_LANGUAGE="en")
    request.user = citizen
    catalogue_cached()  # warm, as in a serving process: the purposes are not read per page
    with django_assert_num_queries(2):
        html = Template("{% load consent_panels_interests %}{% interests_panel %}").render(
            Context({"request": request, "csrf_token": "t"})
        )
    assert "<h2" in html and html.count('data-testid="interest-tag"') == 10


# -- The API ------------------------------------------------------------------------------------------


def test_the_api_lists_and_deletes_ones_own_tags(api, citizen):
    opt_in(citizen)
    tag = services.interest_tag_add(user=citizen, tag="housing")
    services.interest_tag_add(user=citizen, tag="taxation")
    listed = api.get(API).json()
    assert listed["count"] == 2 and [item["tag"] for item in listed["results"]] == ["housing", "taxation"]
    assert api.delete(f"{API}{tag.pk}/").status_code == 204
    assert api.delete(API).json() == {"deleted": 1}
    assert api.get(API).json()["count"] == 0


def test_the_api_answers_404_for_another_persons_tag(api):
    other = UserFactory()
    opt_in(other)
    theirs = services.interest_tag_add(user=other, tag="secret interest")
    assert api.delete(f"{API}{theirs.pk}/").status_code == 404
    assert api.delete(API).json() == {"deleted": 0}
    assert InterestTag.objects.filter(pk=theirs.pk).exists()


def test_the_api_needs_a_signed_in_person(citizen):
    opt_in(citizen)
    tag = services.interest_tag_add(user=citizen, tag="housing")
    anonymous = APIClient()
    assert anonymous.get(API).status_code in (401, 403)
    assert anonymous.delete(API).status_code in (401, 403)
    assert anonymous.delete(f"{API}{tag.pk}/").status_code in (401, 403)
    assert InterestTag.objects.count() == 1


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/consents/interests/",
        "/api/v1/consents/interests/{tag_id}/",
        "/api/v1/consents/location/",
        "/api/v1/consents/cookies/",
    ):
        assert path in schema
