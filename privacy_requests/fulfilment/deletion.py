"""Deletion requests: erase what the portal holds about the person, except what the law keeps (8.2, 8.4).

A deletion takes effect only when a second staff member confirms it
(``privacy_request_propose`` + ``privacy_request_confirm``); the
confirmation completes the request, which runs this handler. Every
category of the personal-data registry (or those the citizen chose) is
erased through ``personal_data_erase``; a category under a legal hold is
kept. The result of each category is a ``RequestOutcome`` the citizen sees
on the request's page, and what was kept, with why, is the request's
answer, so the completion notice says it too.

A deletion never closes the account (issue #15). Erasing the account and
identity profile (chosen, or implied by choosing nothing: everything) would
deactivate the account with no warning, no cooling-off and no way to read
the answer afterwards; that is what account cancellation is for, with its
explanation, cooling-off and reversal. So such a deletion is refused when
filed (``deletion_categories_validate``, used by the page and the API), and
one filed before that rule keeps the account and says why.
"""

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy_requests.models import RequestOutcome

# Shown to the citizen for a kept category (PIPL art. 47: deletion does not
# reach what a law or regulation requires to be kept).
KEPT_REASON = _("A law or regulation requires us to keep this data for now (PIPL art. 47).")
LEGAL_REASON_MAX_LENGTH = RequestOutcome._meta.get_field("legal_reason").max_length
# The registry categories whose erasure makes the account unusable (accounts/personal_data.py:
# erase_profile deactivates it). Only account cancellation erases them.
ACCOUNT_CATEGORIES = frozenset({"profile"})
ACCOUNT_SCOPE = "account_scope"
ACCOUNT_KEPT_REASON = _(
    "Your account stays open: deleting the account itself means cancelling it, which you can ask for on the "
    "account cancellation page."
)


def deletion_covers_account(*, categories) -> bool:
    """Whether a deletion of ``categories`` (none: everything) would erase the account itself."""
    return not categories or bool(ACCOUNT_CATEGORIES.intersection(categories))


def deletion_categories_validate(*, categories) -> list[str]:
    """The categories a deletion request may name; refuses the account's (``ACCOUNT_SCOPE``)."""
    if deletion_covers_account(categories=categories):
        raise ValidationError(
            {
                "categories": ValidationError(
                    _(
                        "Deleting your account and identity profile, or everything, means cancelling your account. "
                        "Ask for that through account cancellation, or choose the other categories to delete."
                    ),
                    code=ACCOUNT_SCOPE,
                )
            }
        )
    return sorted(categories)


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
    """Erase the requester's data, never the account itself; runs inside the confirmation's transaction."""
    chosen = _details(request).get("categories") or [code for code in _labels() if code not in ACCOUNT_CATEGORIES]
    erase_with_outcomes(
        request=request,
        user=request.requester,
        categories=[code for code in chosen if code not in ACCOUNT_CATEGORIES],
    )
    if deletion_covers_account(categories=_details(request).get("categories")):
        # Filed before deletions were kept away from the account: it stays, and the person is told why.
        for code in sorted(ACCOUNT_CATEGORIES):
            with translation.override(getattr(request.requester, "language", None) or translation.get_language()):
                reason = str(ACCOUNT_KEPT_REASON)[:LEGAL_REASON_MAX_LENGTH]
            RequestOutcome.objects.update_or_create(
                request=request, category=code, defaults={"result": RequestOutcome.Result.KEPT, "legal_reason": reason}
            )
            request.answer = "\n\n".join(part for part in ((request.answer or "").strip(), reason) if part)
        request.save(update_fields=["answer"])
