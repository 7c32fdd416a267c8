from django import forms
from django.utils.translation import gettext_lazy as _

from .services import HistoryChoice


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Location tags are always removed before we store it."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class SharingOffForm(forms.Form):
    """Turning sharing off: the person says what happens to the history already stored (clause 2.2.1).

    The page offers the choice as two buttons, so it stays one click; a
    post that names neither, while there is a history, is sent back.
    """

    history = forms.ChoiceField(
        label=_("Your location history"),
        choices=HistoryChoice.choices,
        error_messages={"required": _("Choose whether to keep or delete your location history.")},
    )

    def __init__(self, *args, has_history: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Without a history there is nothing to choose about.
        self.fields["history"].required = has_history

    def choice(self) -> str:
        return self.cleaned_data.get("history") or HistoryChoice.DELETE
