from django import forms


class ConsentChoiceForm(forms.Form):
    """A one-click or confirmed consent choice: only the consent request it answers.

    ``shown`` is the signed token of the policy version the page showed
    (``consents.policy_shown``); it ties the consent to the text on screen.
    A missing or foreign token falls back to the policy in effect rather
    than refusing the choice: withdrawing must never fail on a technicality.
    """

    # A token is some 100 characters; anything far longer is not one.
    shown = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
