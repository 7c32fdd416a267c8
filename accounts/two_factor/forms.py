from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import Method

_LABELS = {
    Method.TOTP: _("Code from your authenticator app"),
    Method.EMAIL: _("Code from the email we sent you"),
    Method.RECOVERY: _("Recovery code"),
}
_HELP = {
    Method.TOTP: _("Six digits. The app shows a new code every 30 seconds."),
    Method.EMAIL: _("Six digits, valid for 10 minutes."),
    Method.RECOVERY: _("One of the codes you saved when you turned on two-factor sign-in. Each works once."),
}


class CodeForm(forms.Form):
    """One one-time code for one method.

    A page shows one of these per method the person can use, each with its
    own prefix (the method), so every field has its own id and label.
    """

    code = forms.CharField(max_length=32, strip=True)

    def __init__(self, *args, method: str, **kwargs):
        kwargs.setdefault("prefix", method)
        super().__init__(*args, **kwargs)
        self.method = method
        field = self.fields["code"]
        field.label = _LABELS[method]
        field.help_text = _HELP[method]
        field.error_messages["required"] = _("Enter the code.")
        field.widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "inputmode": "text" if method == Method.RECOVERY else "numeric",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        )
