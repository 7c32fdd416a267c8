"""Forms for the identity pages. They collect input; the rules live in services and validators."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import clean_id_number

FIELD_LABELS = {
    "legal_name": _("Legal name"),
    "id_number": _("Resident ID number"),
    "phone": _("Mobile number"),
    "bank_card": _("Bank card number"),
    "organisation_name": _("Organisation name"),
    "uscc": _("Unified Social Credit Code"),
    "legal_representative": _("Legal representative"),
}
FIELD_HELP = {
    "legal_name": _("As on your resident ID card."),
    "id_number": _("18 characters; the last one may be X."),
    "phone": _("An 11-digit mainland mobile number; +86 may be left out."),
    "bank_card": _("The digits on the front of the card; spaces are fine."),
    "uscc": _("18 characters, as on the business licence."),
}
FIELD_MAX_LENGTH = {
    "legal_name": 100,
    "id_number": 30,
    "phone": 30,
    "bank_card": 40,
    "organisation_name": 200,
    "uscc": 30,
    "legal_representative": 100,
}
FIELD_AUTOCOMPLETE = {
    "legal_name": "name",
    "phone": "tel",
    "bank_card": "cc-number",
    "organisation_name": "organization",
}


class IdentityProfileForm(forms.Form):
    """The fields of the profile the person may still change (those not identity-verified)."""

    def __init__(self, *args, editable: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        for name in editable:
            attrs = {"autocomplete": FIELD_AUTOCOMPLETE.get(name, "off")}
            if name in ("phone", "bank_card"):
                attrs["inputmode"] = "numeric"
            self.fields[name] = forms.CharField(
                label=FIELD_LABELS[name],
                help_text=FIELD_HELP.get(name, ""),
                max_length=FIELD_MAX_LENGTH[name],
                required=False,
                widget=forms.TextInput(attrs=attrs),
            )


class IdentityVerificationForm(forms.Form):
    legal_name = forms.CharField(
        label=FIELD_LABELS["legal_name"],
        help_text=FIELD_HELP["legal_name"],
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=FIELD_LABELS["id_number"],
        help_text=FIELD_HELP["id_number"],
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_id_number(self):
        return clean_id_number(self.cleaned_data["id_number"])


class GuardianLinkRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("The child's account email or resident ID number"),
        help_text=_("The child's account receives a code to confirm the link."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class GuardianCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Confirmation code"),
        help_text=_("The 6-digit code sent to this account."),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
