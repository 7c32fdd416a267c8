"""The citizen's forms for a new request, one per kind, plus a reply.

Each form's ``details()`` returns what the request stores (encrypted) in
``PrivacyRequest.details``. The rules for a kind's details (which fields can
be corrected, which consents withdrawn) belong to that kind's fulfilment
module; the forms call them so the page and the API refuse the same input.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import RequestKind

NOTE_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 4000


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class RequestForm(forms.Form):
    """Base: an optional note for staff."""

    kind: str = ""
    note = forms.CharField(
        label=_("Anything we should know (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def details(self) -> dict:
        note = self.cleaned_data.get("note", "").strip()
        return {"note": note} if note else {}


class AccessForm(RequestForm):
    kind = RequestKind.ACCESS


class ExportForm(RequestForm):
    kind = RequestKind.EXPORT


class CorrectionForm(RequestForm):
    kind = RequestKind.CORRECTION
    field_order = ["field", "new_value", "reason"]

    field = forms.ChoiceField(label=_("Which detail is wrong"), choices=())
    new_value = forms.CharField(label=_("The correct value"), max_length=200)
    reason = forms.CharField(
        label=_("Why the stored value is wrong"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        from .fulfilment.correction import correction_field_choices

        self.fields["field"].choices = [("", _("Choose…")), *correction_field_choices(user=self.user)]

    def clean(self):
        cleaned = super().clean()
        from .fulfilment.correction import correction_details_validate

        try:
            self._details = correction_details_validate(details=cleaned, user=self.user)
        except ValidationError as error:
            # Report every problem at once, but each field's only once.
            for field, errors in error.error_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned

    def details(self) -> dict:
        return self._details


class DeletionForm(RequestForm):
    kind = RequestKind.DELETION
    field_order = ["categories", "note"]

    categories = forms.MultipleChoiceField(
        label=_("What to delete"),
        help_text=_(
            "Tick what we should delete. Your account and identity profile, or everything at once, can only be "
            "deleted by cancelling your account."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from personal_data.registry import personal_data_categories

        self.fields["categories"].choices = [(entry.code, entry.label) for entry in personal_data_categories()]

    def clean(self):
        cleaned = super().clean()
        if "categories" in cleaned:
            from .fulfilment.deletion import deletion_categories_validate

            try:
                cleaned["categories"] = deletion_categories_validate(categories=cleaned["categories"])
            except ValidationError as error:
                _add_errors(self, error)
        return cleaned

    def covers_account(self) -> bool:
        """The person chose the account's own data (or nothing, meaning everything): a cancellation."""
        from .fulfilment.deletion import ACCOUNT_SCOPE

        return any(error.code == ACCOUNT_SCOPE for error in self.errors.as_data().get("categories", []))

    def details(self) -> dict:
        details = super().details()
        if self.cleaned_data.get("categories"):
            details["categories"] = sorted(self.cleaned_data["categories"])
        return details


def granted_optional_purposes(user) -> list:
    """The optional uses this person has agreed to: what a withdrawal request can name."""
    from consents.models import ConsentState

    states = ConsentState.objects.filter(subject=user, partner__isnull=True, granted=True).select_related("purpose")
    purposes = [state.purpose for state in states if not state.purpose.is_basic]
    return sorted(purposes, key=lambda purpose: purpose.code)


class WithdrawalForm(RequestForm):
    kind = RequestKind.WITHDRAWAL
    field_order = ["purposes", "note"]

    purposes = forms.MultipleChoiceField(
        label=_("Which uses of your data you withdraw your consent from"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purposes"].choices = [(p.code, p.name) for p in granted_optional_purposes(self.user)]

    def clean(self):
        cleaned = super().clean()
        if "purposes" in cleaned:
            from .fulfilment.withdrawal import withdrawal_purposes_validate

            try:
                cleaned["purposes"] = withdrawal_purposes_validate(purposes=cleaned["purposes"])
            except ValidationError as error:
                _add_errors(self, error)
        return cleaned

    def details(self) -> dict:
        return {**super().details(), "purposes": list(self.cleaned_data["purposes"])}


class ComplaintForm(RequestForm):
    kind = RequestKind.COMPLAINT
    field_order = ["subject", "message", "contact_email"]

    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Your complaint or question"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 8})
    )
    contact_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send our answer here. You are not signed in, so this is the only way we can reach you."),
        max_length=254,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        if self.user is not None and self.user.is_authenticated:
            del self.fields["contact_email"]

    def details(self) -> dict:
        return {"subject": self.cleaned_data["subject"].strip(), "message": self.cleaned_data["message"].strip()}


FORMS: dict[str, type[RequestForm]] = {
    form.kind: form for form in (AccessForm, ExportForm, CorrectionForm, DeletionForm, WithdrawalForm, ComplaintForm)
}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
