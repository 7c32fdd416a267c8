"""``{% location_panel %}``: the location switch on the dashboard."""

from django import template

from consents.cookies.acting import subject_context
from consents.dashboard.selectors import dashboard_facts_of
from consents.location.selectors import location_status_for

register = template.Library()


@register.inclusion_tag("consents/location/panel.html", takes_context=True)
def location_panel(context):
    """Three queries: the purpose, the person's consent row, the count of stored locations."""
    data = subject_context(context=context)
    facts = dashboard_facts_of(context=context, subject=data["subject"])
    records = facts.location_records if facts is not None else None
    return {**data, "status": location_status_for(user=data["subject"], records=records)}
