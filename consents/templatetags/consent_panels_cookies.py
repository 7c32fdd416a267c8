"""``{% cookie_panel %}``: the cookie choice on the dashboard, the same one the banner asks for."""

from django import template

from consents.cookies.acting import subject_context
from consents.cookies.selectors import cookie_choice_for, cookie_choice_of, cookie_state_for

register = template.Library()


@register.inclusion_tag("consents/cookies/panel.html", takes_context=True)
def cookie_panel(context):
    """Two queries: the person's ledger row for the purpose, and the consent check behind it."""
    data = subject_context(context=context)
    request = data["request"]
    if data["acting_for"]:
        # A guardian sees the ward's recorded choice; their own browser's
        # signal and cookie say nothing about the ward.
        state = cookie_state_for(subject=data["subject"])
        choice = cookie_choice_of(subject=data["subject"], state=state, lookup=False)
        gpc = False
    else:
        own = cookie_choice_for(request=request)
        state, choice, gpc = own.state, own.choice, own.gpc
    return {**data, "state": state, "choice": choice, "gpc": gpc}
