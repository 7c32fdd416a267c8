"""The sign-in and sign-up forms (allauth's, with the portal's fields and wording)."""

from allauth.account import forms as allauth_forms
from allauth.socialaccount import forms as socialaccount_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.validators import refuse_invisible_controls

from .activity.selectors import linked_accounts_for, social_account_provider
from .models import AccountKind
from .pending_signup import pending_signup_keep
from .registration import account_register
from .validators import clean_uscc

BUSINESS_FIELDS = ("organisation_name", "uscc", "legal_representative")


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Email address or mobile number")
        login.help_text = _("Your mobile number signs you in once it has been confirmed with a code.")
        login.widget.attrs["autocomplete"] = "username"
        # The labels say what to type; a placeholder repeating them only
        # vanishes as one types (and is no label for screen readers).
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up plus the account kind and, for a business, its registration data.

    The business fields are always on the page (it works without scripting)
    and are required only when "Legal person (business)" is chosen.
    """

    kind = forms.ChoiceField(
        label=_("Account kind"),
        choices=AccountKind.choices,
        initial=AccountKind.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200, required=False)
    uscc = forms.CharField(
        label=_("Unified Social Credit Code"),
        max_length=30,
        required=False,
        help_text=_("The 18 characters on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100, required=False)

    field_order = ["kind", "email", "phone", "password1", "password2", *BUSINESS_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        if "email" in self.fields:
            self.fields["email"].label = _("Email address")
            self.fields["email"].help_text = _("We send a code to this address to confirm it.")
        if "phone" in self.fields:
            self.fields["phone"].label = _("Mobile number (optional)")
            self.fields["phone"].help_text = _(
                "An 11-digit mainland number. Once confirmed with a text-message code, it signs you in too."
            )

    @property
    def is_business(self) -> bool:
        return self.cleaned_data.get("kind") == AccountKind.BUSINESS

    def clean(self):
        cleaned_data = super().clean()
        for name in BUSINESS_FIELDS:
            if cleaned_data.get(name) and name not in self.errors:
                try:
                    refuse_invisible_controls(cleaned_data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        if not self.is_business:
            return cleaned_data
        required = {
            "organisation_name": _("Enter the organisation's name, as on its business licence."),
            "legal_representative": _("Enter the name of the legal representative."),
            "uscc": _("Enter the Unified Social Credit Code."),
        }
        for name, message in required.items():
            if not (cleaned_data.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, ValidationError(message, code="required"))
        if cleaned_data.get("uscc") and "uscc" not in self.errors:
            try:
                cleaned_data["uscc"] = clean_uscc(cleaned_data["uscc"])
            except ValidationError as error:
                self.add_error("uscc", error)
        return cleaned_data

    def try_save(self, request):
        """allauth's entry point; a known address costs as much time as a new account.

        For a known address allauth only mails its owner and stores nothing,
        so it answered in a fraction of the time a new account takes (whose
        password is hashed): the delay told whether an address is
        registered. The password is hashed either way.
        """
        if not self.account_already_exists:
            return super().try_save(request)
        password_hash = make_password(self.cleaned_data.get("password1") or "")
        user, response = super().try_save(request)
        # Kept so that "use a different address" on the next page can still
        # create this account, as it can after a new address's sign-up.
        pending_signup_keep(
            request=request,
            email=self.cleaned_data["email"],
            password_hash=password_hash,
            kind=self.cleaned_data["kind"],
            business=self._business_data(),
            phone=self.cleaned_data.get("phone") or "",
        )
        return user, response

    def save(self, request):
        # The account, its email address and its registration data are one
        # fact: all of them are stored, or none.
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user):
        """allauth's hook, called inside ``save()`` once the user exists."""
        account_register(user=user, kind=self.cleaned_data["kind"], **self._business_data())

    def _business_data(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in BUSINESS_FIELDS} if self.is_business else {}


class DisconnectForm(socialaccount_forms.DisconnectForm):
    """allauth's unlink form; it refuses to unlink the last way to sign in.

    It also works for a service that has since been switched off (WeChat
    without credentials), which allauth's form would fail on.
    """

    def linked_accounts(self):
        return linked_accounts_for(user=self.request.user, request=self.request)

    def save(self) -> None:
        social_account_provider(account=self.cleaned_data["account"], request=self.request)
        super().save()
