"""Completing an account cancellation: erase, anonymise, tell the person (clause 8.5).

Staff complete the request after the cooling-off window and within the 15
working days. Personal data is erased through the registry, category by
category, except what a legal hold keeps (each with an outcome and its
reason, as for a deletion); then the account is anonymised so it can no
longer be used and its email address and mobile number can register again.
The last email goes to the address the account had, since the account no
longer has one afterwards. It carries the outcome in full, category by
category, and a signed link that shows the same outcome for a while
(``cancellation/outcome_links.py``): the person can no longer sign in to
read it on the request's page (issue #15).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.site import site_url
from notifications.services import email_enqueue
from privacy_requests.notification_kinds import ACCOUNT_CANCELLED

from .deletion import erase_with_outcomes

NOTIFICATION_COMPLETED = ACCOUNT_CANCELLED


def outcome_rows(*, request) -> list[dict]:
    """What was done with each category, labelled in the active language (email and outcome page)."""
    from personal_data.registry import personal_data_categories
    from privacy_requests.models import RequestOutcome

    labels = {entry.code: str(entry.label) for entry in personal_data_categories()}
    return [
        {
            "label": labels.get(outcome.category, outcome.category),
            "result": str(RequestOutcome.Result(outcome.result).label),
            "reason": outcome.legal_reason,
        }
        for outcome in RequestOutcome.objects.filter(request=request).order_by("category")
    ]


def _close_other_requests(*, request, actor) -> None:
    """The person's other open requests end with the account; closed, their records are then anonymised too."""
    from privacy_requests.models import PrivacyRequest
    from privacy_requests.services import privacy_request_withdraw
    from privacy_requests.state_machine import OPEN_STATES

    others = PrivacyRequest.objects.filter(requester_id=request.requester_id, state__in=OPEN_STATES).exclude(
        pk=request.pk
    )
    for other in others:
        privacy_request_withdraw(request=other, actor=actor)


def cancellation_fulfil(*, request, actor) -> None:
    from privacy_requests.cancellation.selectors import cancellation_in_cooling_off
    from privacy_requests.cancellation.services import PROFILE_CATEGORY, cancellation_account_close
    from privacy_requests.services import TransitionNotAllowed

    if cancellation_in_cooling_off(request=request):
        until = date_format(timezone.localtime(request.cooling_off_until), "DATETIME_FORMAT")
        raise TransitionNotAllowed(
            _("The cooling-off period runs until %(until)s: the cancellation can be completed after it.")
            % {"until": until}
        )
    user = request.requester
    address, language = user.email, user.language or settings.LANGUAGE_CODE
    _close_other_requests(request=request, actor=actor)
    results = erase_with_outcomes(request=request, user=user)
    kept = frozenset(code for code, result in results.items() if result == "kept")
    cancellation_account_close(user=user, actor=actor, request=request, kept=kept)
    if address:
        from privacy_requests.cancellation.outcome_links import outcome_link_days, outcome_token

        context = {
            "reference": request.reference,
            "answer": request.answer,
            "identifiers_freed": PROFILE_CATEGORY not in kept,
            "outcome_url": site_url(
                reverse("privacy_requests:cancellation:outcome", args=[outcome_token(request=request)])
            ),
            "outcome_link_days": outcome_link_days(),
        }
        with translation.override(language):
            context["outcomes"] = outcome_rows(request=request)
            subject = render_to_string(f"notifications/{NOTIFICATION_COMPLETED}/subject.txt", context)
            body = render_to_string(f"notifications/{NOTIFICATION_COMPLETED}/body.txt", context)
        email_enqueue(
            to_address=address,
            kind=NOTIFICATION_COMPLETED,
            language=language,
            subject=subject.strip(),
            body=body.strip(),
        )
