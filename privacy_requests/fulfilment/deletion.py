"""Deletion requests: erase what the portal holds about the person, except what the law keeps (8.2, 8.4).

A deletion takes effect only when a second staff member confirms it
(``privacy_request_propose`` + ``privacy_request_confirm``); the
confirmation completes the request, which runs this handler. Every
category of the personal-data registry (or those the citizen chose) is
erased through ``personal_data_erase``; a category under a legal hold is
kept. The result of each category is a ``RequestOutcome`` the citizen sees
on the request's page, and what was kept, with why, is the request's
answer, so the completion notice says it too.
"""

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy_requests.models import RequestOutcome

# Shown to the citizen for a kept category (PIPL art. 47: deletion does not
# reach what a law or regulation requires to be kept).
KEPT_REASON = _("A law or regulation requires us to keep this data for now (PIPL art. 47).")
LEGAL_REASON_MAX_LENGTH = RequestOutcome._meta.get_field("legal_reason").max_length


def _details(request) -> dict:
    from privacy_requests.services import request_details

    return request_details(request)


def _hold_reason(*, user, category: str) -> str:
    """The reason the officer gave when placing the hold, told to the person with the kept category."""
    from personal_data import holds

    return holds.hold_reason(user=user, category=category)


def _labels() -> dict[str, str]:
    from personal_data.registry import personal_data_categories

    return {entry.code: str(entry.label) for entry in personal_data_categories()}


def erase_with_outcomes(*, request, user, categories=None) -> dict[str, str]:
    """Erase ``user``'s data (all categories, or ``categories``) and record one outcome per category.

    Returns the eraser's answer per category. The kept ones, with their
    reason in the person's language, become the request's answer.
    """
    from privacy_requests.erasure import personal_data_erase

    results = personal_data_erase(user=user, categories=categories)
    kept_lines = []
    with translation.override(getattr(user, "language", None) or translation.get_language()):
        labels = _labels()
        for code, result in results.items():
            reason = ""
            if result == RequestOutcome.Result.KEPT:
                held = _hold_reason(user=user, category=code)
                reason = str(KEPT_REASON) if not held else f"{KEPT_REASON} {held}"
                reason = reason[:LEGAL_REASON_MAX_LENGTH]
                kept_lines.append(f"- {labels.get(code, code)}: {reason}")
            RequestOutcome.objects.update_or_create(
                request=request, category=code, defaults={"result": result, "legal_reason": reason}
            )
        if kept_lines:
            lead = gettext("We deleted or anonymised your data, except these categories, which we keep:")
            summary = "\n".join([lead, *kept_lines])
        elif categories:
            summary = gettext("We deleted or anonymised the data you chose.")
        else:
            summary = gettext("We deleted or anonymised all your data.")
    # A staff member's own answer (given on completion) comes first.
    request.answer = "\n\n".join(part for part in ((request.answer or "").strip(), summary) if part)
    request.save(update_fields=["answer"])
    return results


def deletion_fulfil(*, request, actor) -> None:
    """Erase the requester's data; runs inside the confirmation's transaction."""
    chosen = _details(request).get("categories") or None
    erase_with_outcomes(request=request, user=request.requester, categories=chosen)
