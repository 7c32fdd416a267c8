"""``{% services_panel %}``: the person's optional services on the dashboard."""

from django import template

from consents.cookies.acting import subject_context
from consents.dashboard.selectors import dashboard_facts_of
from consents.optional_services.selectors import service_rows_for

register = template.Library()


@register.inclusion_tag("consents/optional_services/panel.html", takes_context=True)
def services_panel(context):
    """Two queries: the services with their purposes, the person's enrolments."""
    data = subject_context(context=context)
    facts = dashboard_facts_of(context=context, subject=data["subject"])
    enrolled_ever = facts is None or facts.has_enrolments  # the dashboard knows whether there are any
    return {
        **data,
        "rows": service_rows_for(subject=data["subject"], with_categories=False, read_enrolments=enrolled_ever),
    }
