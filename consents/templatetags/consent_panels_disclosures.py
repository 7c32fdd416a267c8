"""``{% disclosures_panel %}``: who received the person's data, on the dashboard."""

from django import template

from consents.cookies.acting import subject_context
from consents.dashboard.selectors import dashboard_facts_of
from consents.disclosures.selectors import PANEL_SIZE, disclosures_latest_for

register = template.Library()


@register.inclusion_tag("consents/disclosures/panel.html", takes_context=True)
def disclosures_panel(context):
    """Two queries whatever the history holds: the latest disclosures (one extra, for "more") and their categories."""
    data = subject_context(context=context)
    facts = dashboard_facts_of(context=context, subject=data["subject"])
    # The dashboard already knows whether there is anything to list (most people: nothing).
    none = facts is not None and not facts.has_disclosures
    rows = [] if none else disclosures_latest_for(user=data["subject"], limit=PANEL_SIZE + 1)
    return {**data, "disclosures": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE}
