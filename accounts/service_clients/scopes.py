"""The scopes a service client can be given, written down once.

A scope names what a service may do, never whom it may ask about: the
consent rules decide that. Views require one with
``permission_classes = [HasServiceScope(CONSENT_CHECK)]``.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_CHECK = "consent:check"
CONSENT_EVENTS = "consent:events"
ERASURE = "erasure"
INTERESTS_WRITE = "interests:write"

SCOPES = {
    CONSENT_CHECK: _("Ask whether a person's data may be used for a purpose (single and batch consent check)."),
    CONSENT_EVENTS: _("Receive consent.changed webhooks."),
    ERASURE: _("Receive erasure instructions and acknowledge them."),
    INTERESTS_WRITE: _("Record interest tags for people who agreed to personalisation."),
}

CHOICES = [(code, code) for code in SCOPES]


def scope_descriptions() -> dict[str, str]:
    """Code -> description in the active language (for the OpenAPI scheme and the admin form)."""
    return {code: str(description) for code, description in SCOPES.items()}
