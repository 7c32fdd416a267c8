from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import VerificationLevel
from accounts.validators import clean_id_number

from .selectors import profile_by_verified_id_number


class CounterCheckForm(forms.Form):
    """Staff at a service counter: find the person by the ID card in front of them and record the check."""

    id_number = forms.CharField(
        label=_("resident ID number"),
        max_length=32,
        help_text=_("Type it from the ID card the person shows you, not from what they tell you."),
    )
    checked_in_person = forms.BooleanField(
        label=_("I checked the resident ID card in person, and the person in front of me matches its photo."),
        required=True,
    )

    def clean_id_number(self):
        id_number = clean_id_number(self.cleaned_data["id_number"])
        profile = profile_by_verified_id_number(id_number=id_number)
        if profile is None:
            raise ValidationError(
                _(
                    "No identity-verified account holds this ID number. The person first verifies their identity "
                    "(legal name and ID number) on the portal, then the counter check raises it to level 3."
                ),
                code="not_verified",
            )
        if profile.verification_level >= VerificationLevel.FACE_VERIFIED:
            raise ValidationError(_("This person's account is already at level 3."), code="already_level_3")
        self.profile = profile
        return id_number
