"""Forms behind the staff queue's buttons; each one's cleaned data goes straight to a service."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.staff.selectors import number_search_for

from ..models import RefusalReason, RequestChannel, RequestKind
from ..services import MAX_EXTENSION_WORKING_DAYS


def staff_members():
    """Who a request can be assigned to: active staff allowed to work the queue."""
    codename = "change_privacyrequest"
    app_label = "privacy_requests"
    may_change = (
        Q(is_superuser=True)
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
        | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    )
    User = get_user_model()
    return User.objects.filter(may_change, is_active=True, is_staff=True).distinct().order_by("username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Staff are named by their username only: no one's email on the screen.
        return obj.get_username()


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("assign to"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_members()


class CompleteForm(forms.Form):
    answer = forms.CharField(
        label=_("answer to the citizen"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_(
            "Shown to the citizen and emailed. For deletion and correction, what was done per category "
            "is listed by the fulfilment itself."
        ),
    )


class ProposeRefusalForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("reason"), choices=RefusalReason.choices)
    explanation = forms.CharField(
        label=_("explanation for the citizen"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Required. Shown to the citizen with the reason and the route to complain."),
    )

    def clean_explanation(self):
        explanation = self.cleaned_data["explanation"].strip()
        if not explanation:
            raise ValidationError(_("Explain the refusal to the citizen."), code="required")
        return explanation


class ProposeDeletionForm(forms.Form):
    """No fields: the button is the proposal; a second staff member confirms it."""


class ConfirmForm(forms.Form):
    """No fields: confirming applies the proposal made by someone else."""


class RejectProposalForm(forms.Form):
    note = forms.CharField(label=_("why the proposal is rejected"), required=False, max_length=1000)


class StartReviewForm(forms.Form):
    """No fields."""


class WithdrawForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("The citizen asked, and their identity was checked, to withdraw this request."), required=True
    )


class VerifyForm(forms.Form):
    identity_check_note = forms.CharField(
        label=_("how identity was checked"),
        max_length=200,
        help_text=_("For example: resident ID card seen at the counter; security questions answered on the phone."),
    )

    def clean_identity_check_note(self):
        note = self.cleaned_data["identity_check_note"].strip()
        if not note:
            raise ValidationError(_("Say how you checked the citizen's identity."), code="required")
        return note


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(
        label=_("extend by (working days)"), min_value=1, max_value=MAX_EXTENSION_WORKING_DAYS
    )
    reason = forms.CharField(label=_("reason for the extension"), max_length=300, help_text=_("Shown to the citizen."))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason for the extension."), code="required")
        return reason


class MessageForm(forms.Form):
    body = forms.CharField(label=_("message to the citizen"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    waits_for_citizen = forms.BooleanField(
        label=_("Waiting for the citizen's answer (pauses the clock until they reply)"), required=False
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write the message."), code="required")
        return body


class StaffEntryForm(forms.Form):
    """A request taken by phone or at a service counter, entered by the staff member who took it."""

    citizen = forms.CharField(
        label=_("citizen's account"),
        max_length=100,
        help_text=_(
            "A whole resident ID number or mobile number (found by its keyed hash), or the account's "
            "username or email address."
        ),
    )
    channel = forms.ChoiceField(
        label=_("taken"),
        choices=[
            (RequestChannel.PHONE.value, RequestChannel.PHONE.label),
            (RequestChannel.COUNTER.value, RequestChannel.COUNTER.label),
        ],
    )
    kind = forms.ChoiceField(
        label=_("kind of request"),
        # Cancellations have their own button (the consequences are read out first).
        choices=[(value, label) for value, label in RequestKind.choices if value != RequestKind.CANCELLATION],
    )
    details = forms.CharField(
        label=_("what the citizen asks"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("In the citizen's words: for a correction, which field, the new value and why."),
    )
    identity_check_note = forms.CharField(
        label=_("how identity was checked"),
        max_length=200,
        help_text=_("For example: resident ID card seen at the counter; security questions answered on the phone."),
    )

    def clean_citizen(self):
        term = self.cleaned_data["citizen"].strip()
        User = get_user_model()
        citizens = User.objects.filter(is_staff=False, is_active=True)
        search = number_search_for(term)
        if search is not None:
            lookup = "identity__id_number_hash" if search.kind == "id_number" else "phone_hash"
            matches = list(citizens.filter(**{lookup: search.digest})[:2])
        else:
            matches = list(citizens.filter(Q(username=term) | Q(email__iexact=term))[:2])
        if not matches:
            raise ValidationError(_("No citizen's account matches. Check the number or address."), code="not_found")
        if len(matches) > 1:
            raise ValidationError(
                _("Several accounts match; search by the resident ID number instead."), code="ambiguous"
            )
        self.citizen_user = matches[0]
        return term

    def clean_identity_check_note(self):
        note = self.cleaned_data["identity_check_note"].strip()
        if not note:
            raise ValidationError(_("Say how you checked the citizen's identity."), code="required")
        return note


class CancellationOnBehalfForm(forms.Form):
    citizen = StaffEntryForm.base_fields["citizen"]
    identity_check_note = StaffEntryForm.base_fields["identity_check_note"]
    consequences_read = forms.BooleanField(
        label=_("I read the consequences of cancelling the account to the citizen and they confirmed."),
        required=True,
    )
    clean_citizen = StaffEntryForm.clean_citizen
    clean_identity_check_note = StaffEntryForm.clean_identity_check_note


class BulkDecisionForm(forms.Form):
    """One decision proposed for every selected request; a second officer confirms it."""

    decision = forms.ChoiceField(
        label=_("decision"),
        widget=forms.RadioSelect,
        choices=[
            (
                "approve",
                _(
                    "Approve (each request is completed as its own page would complete it, once a second officer "
                    "confirms; deletion requests: the data is deleted then)"
                ),
            ),
            ("refuse", _("Refuse")),
        ],
    )
    reason_code = forms.ChoiceField(
        label=_("reason for a refusal"), choices=[("", "---------"), *RefusalReason.choices], required=False
    )
    explanation = forms.CharField(
        label=_("explanation for the citizen"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
        help_text=_(
            "For a refusal: each citizen receives it with the reason and the route to complain. For an approval: "
            "the answer each citizen receives with the completion (required for complaints and questions)."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse":
            if not data.get("reason_code"):
                self.add_error("reason_code", ValidationError(_("Choose a reason for the refusal."), code="required"))
            if not (data.get("explanation") or "").strip():
                self.add_error(
                    "explanation", ValidationError(_("Explain the refusal to the citizen."), code="required")
                )
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Seen by staff only: never shown or sent to the citizen."),
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write the note."), code="required")
        return body
