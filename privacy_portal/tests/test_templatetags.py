from privacy_portal.templatetags.portal import display_name
from tests.factories import UserFactory


def test_people_are_named_by_family_then_given_name_else_email():
    assert display_name(UserFactory.build(last_name="张", first_name="三")) == "张三"
    assert (
        display_name(UserFactory.build(username="u1234abcd", first_name="", last_name="", email="a@b.cn")) == "a@b.cn"
    )
