"""A name, an address or a card number holding a text-direction override is refused, and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError

from accounts.identity.services import identity_profile_update
from accounts.models import IdentityProfile
from accounts.validators import clean_bank_card
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RLO = "\u202e"


@pytest.mark.parametrize("field", ["legal_name"])
def test_a_name_with_a_direction_override_is_refused(field):
    user = UserFactory()
    with pytest.raises(ValidationError) as refused:
        identity_profile_update(user=user, data={field: f"张{RLO}三"})
    assert field in refused.value.message_dict
    profile = IdentityProfile.objects.filter(user=user).first()
    assert profile is None or getattr(profile, field) == ""


@pytest.mark.parametrize("control", [RLO, "\u2066"])
def test_a_card_number_with_a_direction_control_is_refused(control):
    with pytest.raises(ValidationError):
        clean_bank_card(f"6222{control}0212 3456 7890 5")


def test_business_sign_up_fields_refuse_direction_controls(client):
    response = client.post(
        "/accounts/signup/",
        {
            "kind": "business",
            "email": "firm@example.cn",
            "password1": "Correct-Horse-42",
            "password2": "Correct-Horse-42",
            "organisation_name": f"Acme{RLO}Ltd",
            "uscc": "91350100M000100Y43",
            "legal_representative": "张三",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Remove the control characters from this field." in response.content.decode()
