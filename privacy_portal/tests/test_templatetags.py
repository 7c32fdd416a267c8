import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client
from django.urls import NoReverseMatch, clear_script_prefix, set_script_prefix

from accounts.models import User
from privacy_portal.templatetags.portal import display_name, signed_in_name
from tests.factories import UserFactory, VerifiedCitizenFactory


def test_people_are_named_by_family_then_given_name_else_email():
    assert display_name(UserFactory.build(last_name="张", first_name="三")) == "张三"
    assert (
        display_name(UserFactory.build(username="u1234abcd", first_name="", last_name="", email="a@b.cn")) == "a@b.cn"
    )


@pytest.mark.django_db
def test_the_header_names_a_verified_person_by_their_verified_name():
    person = VerifiedCitizenFactory(identity=("李四", "440106198506123457"), first_name="Self", last_name="Chosen")
    assert signed_in_name(User.objects.get(pk=person.pk)) == "李四"


@pytest.mark.django_db
def test_the_header_masks_the_contact_of_someone_without_a_verified_name(django_assert_max_num_queries):
    person = UserFactory(username="u273ad690926a084d", email="zhangsan@example.cn", first_name="三", last_name="张")
    with django_assert_max_num_queries(1):
        assert signed_in_name(person) == "z***@example.cn"
    phone_only = UserFactory(username="u99aa", email="", phone="13812345678")
    assert signed_in_name(phone_only) == "138****5678"
    assert signed_in_name(AnonymousUser()) == ""


@pytest.mark.django_db
def test_a_profile_already_loaded_costs_the_header_no_query(django_assert_num_queries):
    person = VerifiedCitizenFactory()
    loaded = User.objects.select_related("identity").get(pk=person.pk)
    with django_assert_num_queries(0):
        assert signed_in_name(loaded) == "张三"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"), [("en", "Signed in as z***@example.cn"), ("zh-hans", "已登录：z***@example.cn")]
)
def test_every_page_header_shows_the_masked_email_never_the_handle(language, text):
    person = UserFactory(username="u273ad690926a084d", email="zhangsan@example.cn", language=language)
    client = Client()
    client.force_login(person)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert text in html
    assert "u273ad690926a084d" not in html and "zhangsan@" not in html


def test_fixed_url_links_where_url_does_and_follows_the_script_prefix():
    page = Template("{% load portal %}{% fixed_url 'consents:cookies' %}|{% url 'consents:cookies' %}")
    plain = page.render(Context())
    set_script_prefix("/portal/")
    try:
        prefixed = page.render(Context())
    finally:
        clear_script_prefix()
    fixed, url = plain.split("|")
    assert fixed == url
    fixed, url = prefixed.split("|")
    assert fixed == url and fixed.startswith("/portal/")


def test_fixed_url_of_an_unknown_name_fails_as_url_does():
    with pytest.raises(NoReverseMatch):
        Template("{% load portal %}{% fixed_url 'no-such-page' %}").render(Context())
