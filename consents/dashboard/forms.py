from django import forms


class ConsentChoiceForm(forms.Form):
    """A one-click or confirmed consent choice: only the consent request it answers.

    ``shown`` is the ``PolicyDisplay`` written when the request was shown; it
    ties the consent to the policy version on screen. Missing or foreign ids
    fall back to the policy in effect rather than refusing the choice:
    withdrawing must never fail on a technicality.
    """

    shown = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
