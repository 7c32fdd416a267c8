"""Complaints and questions (clause 10): staff answer, the citizen reads the answer in the portal and by email.

Completing a complaint needs an answer: ``privacy_request_complete(...,
answer=...)`` stores it, the request's page shows it, and the completion
notice carries it, to the requester's inbox and email or, for an
anonymous complainant, to the contact address they gave.
"""

from django.utils.translation import gettext as _


def complaint_fulfil(*, request, actor) -> None:
    """Refuse to close a complaint without an answer to the person."""
    from privacy_requests.services import TransitionNotAllowed

    if not (request.answer or "").strip():
        raise TransitionNotAllowed(_("Write the answer to the complaint or question before completing it."))
