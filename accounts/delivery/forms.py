"""The delivery request form: it collects the input; the rules live in ``services.delivery_details_clean``.

No field is required or bounded here: the service checks every field at
once, so the person sees each problem on the first try, in one set of words.
The lengths reach the browser as ``maxlength`` hints only.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import ITEM_MAX_LENGTH, NAME_MAX_LENGTH, REGION_MAX_LENGTH, STREET_MAX_LENGTH


def _text(*, maxlength: int, **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"maxlength": maxlength, **attrs})


class DeliveryRequestForm(forms.Form):
    item = forms.CharField(
        label=_("What should be delivered"),
        required=False,
        help_text=_("The document, e.g. “Business licence (paper copy)”. No personal details here."),
        widget=_text(maxlength=ITEM_MAX_LENGTH),
    )
    recipient_name = forms.CharField(
        label=_("Recipient's name"),
        required=False,
        widget=_text(maxlength=NAME_MAX_LENGTH, autocomplete="name"),
    )
    mobile = forms.CharField(
        label=_("Recipient's mobile number"),
        required=False,
        help_text=_("An 11-digit mainland mobile number, for the courier."),
        widget=_text(maxlength=30, autocomplete="tel", inputmode="numeric"),
    )
    region = forms.CharField(
        label=_("Province and city"),
        required=False,
        help_text=_("e.g. 广东省广州市天河区"),
        widget=_text(maxlength=REGION_MAX_LENGTH, autocomplete="address-level1"),
    )
    street = forms.CharField(
        label=_("Street address"),
        required=False,
        help_text=_("Street, number, building and room."),
        widget=_text(maxlength=STREET_MAX_LENGTH, autocomplete="street-address"),
    )
