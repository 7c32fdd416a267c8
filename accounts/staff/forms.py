from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import SandboxIdentity
from accounts.validators import clean_id_number
from core.encryption import blind_index
from core.masking import mask_id_number

from .services import REVEAL_REASON_MAX_LENGTH, REVEAL_REASON_MIN_LENGTH


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=REVEAL_REASON_MIN_LENGTH,
        max_length=REVEAL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Why you need the full value, e.g. the ticket or call you are handling. "
            "It is kept in the audit log: do not write any personal data here."
        ),
    )


class SandboxIdentityForm(forms.ModelForm):
    """A test identity; the ID number is validated and never shown back in full.

    On a change the ID number field starts empty and may stay empty to keep
    the stored number: a form that echoed it would put it in the page.
    """

    id_number = forms.CharField(label=_("resident ID number"), max_length=32, required=False)

    class Meta:
        model = SandboxIdentity
        fields = ["legal_name", "id_number", "behaviour", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["id_number"] = ""
        if self.instance.pk:
            self.fields["id_number"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it, or enter a new number."
            ) % {"masked": mask_id_number(self.instance.id_number)}
        else:
            self.fields["id_number"].required = True

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        if not value:
            # Keep the stored number (and its hash) on a change.
            return ""
        normalised = clean_id_number(value)
        clash = SandboxIdentity.objects.filter(id_number_hash=blind_index(normalised))
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(
                _("A sandbox identity with this resident ID number already exists."), code="duplicate"
            )
        return normalised

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk and not cleaned_data.get("id_number"):
            # Absent from cleaned_data, the stored number is left alone when
            # the form fills the instance; "" would blank it.
            cleaned_data.pop("id_number", None)
        return cleaned_data
