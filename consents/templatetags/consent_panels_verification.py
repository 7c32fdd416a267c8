"""``{% verification_panel %}``: identity level 3 on the dashboard, and the ways to reach it."""

from django import template

from consents.cookies.acting import subject_context
from consents.dashboard.selectors import dashboard_facts_of
from consents.strong_verification.selectors import verification_overview_for

register = template.Library()


@register.inclusion_tag("consents/strong_verification/panel.html", takes_context=True)
def verification_panel(context):
    """A constant number of queries: the profile, the face consent check, the latest checks."""
    data = subject_context(context=context)
    facts = dashboard_facts_of(context=context, subject=data["subject"])
    identity = facts.identity if facts is not None else None
    checked_ever = facts is None or facts.has_strong_checks  # the dashboard knows whether there were any
    overview = verification_overview_for(user=data["subject"], identity=identity, read_history=checked_ever)
    return {**data, "overview": overview}
