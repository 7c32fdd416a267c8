"""``{% interests_panel %}`` for the dashboard and ``{% recommendations_for_you %}`` for any page.

Personalised content is always labelled as such, and shown only to people
who consented to recommendations: without that consent the tag renders
nothing at all.
"""

from django import template

from consents.cookies.acting import subject_context
from consents.dashboard.selectors import dashboard_facts_of
from consents.personalisation.selectors import interest_tags_for, recommendations_allowed, recommendations_for

register = template.Library()


@register.inclusion_tag("consents/personalisation/panel.html", takes_context=True)
def interests_panel(context):
    """Two queries: the person's consent rows, their tags (the purpose is in the process's catalogue)."""
    data = subject_context(context=context)
    subject = data["subject"]
    facts = dashboard_facts_of(context=context, subject=subject)
    none = facts is not None and not facts.has_interest_tags  # the dashboard knows there are none
    return {
        **data,
        "recommendations_on": recommendations_allowed(user=subject),
        "tags": [] if none else list(interest_tags_for(user=subject)),
    }


@register.inclusion_tag("consents/personalisation/for_you.html", takes_context=True)
def recommendations_for_you(context):
    """Up to three suggested services, labelled "Personalised for you"; nothing without consent."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"suggestions": None}
    return {"suggestions": recommendations_for(user=user), "request": request}
