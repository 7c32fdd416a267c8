"""One rule names a person everywhere: the header and the sign-in message agree."""

import pytest
from django.utils import translation

from accounts.display import person_display_name, user_display
from accounts.models import User
from privacy_portal.templatetags.portal import signed_in_name
from tests.factories import UserFactory, VerifiedCitizenFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: VerifiedCitizenFactory(identity=("李四", "440106198506123457")), "李四"),
        (lambda: UserFactory(username="u273ad690926a084d", email="zhangsan@example.cn"), "z***@example.cn"),
        (lambda: UserFactory(username="u99aa", email="", phone="13812345678"), "138****5678"),
    ],
)
def test_the_header_and_the_sign_in_message_name_a_person_the_same_way(make, expected):
    person = User.objects.get(pk=make().pk)  # as a request loads it
    assert person_display_name(person) == signed_in_name(person) == user_display(person) == expected


def test_someone_with_no_contact_is_your_account_in_messages_and_nothing_in_the_header():
    nobody = UserFactory(username="u0000aaaa", email="", phone="")
    assert signed_in_name(nobody) == ""
    with translation.override("en"):
        assert user_display(nobody) == "your account"
    assert "u0000aaaa" not in user_display(nobody)
