"""Consent withdrawal through a request, for citizens who prefer it to the dashboard (8.5).

The request names the purposes (``{"purposes": [codes]}``); completing it
withdraws each consent at once through ``consent_withdraw``, as the
requester, on the web channel. Such a request needs no staff: it is
completed by the system right after it is filed.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consents.models import ConsentChannel, Purpose


def withdrawal_purposes_validate(*, purposes) -> list[str]:
    """The purpose codes a withdrawal request may name, cleaned; ``ValidationError`` on "purposes" otherwise.

    Basic purposes (needed for the service) cannot be withdrawn; unknown
    codes are refused rather than silently dropped.
    """
    codes = sorted({str(code).strip() for code in (purposes or []) if str(code).strip()})
    if not codes:
        raise ValidationError(
            {"purposes": ValidationError(_("Choose at least one use of your data to withdraw."), code="required")}
        )
    known = {purpose.code: purpose for purpose in Purpose.objects.filter(code__in=codes, active=True)}
    unknown = [code for code in codes if code not in known]
    basic = [code for code in codes if code in known and known[code].is_basic]
    if unknown:
        raise ValidationError(
            {"purposes": ValidationError(_("Choose the uses of your data from the list."), code="unknown_purpose")}
        )
    if basic:
        raise ValidationError(
            {
                "purposes": ValidationError(
                    _("%(names)s: needed to provide the service, so it cannot be withdrawn.")
                    % {"names": ", ".join(known[code].name for code in basic)},
                    code="basic_purpose",
                )
            }
        )
    return codes


def withdrawal_fulfil(*, request, actor) -> None:
    """Withdraw each named consent, as the requester, effective at once."""
    from consents.services import consent_withdraw
    from privacy_requests.services import request_details

    codes = request_details(request).get("purposes") or []
    purposes = Purpose.objects.filter(code__in=codes)
    for purpose in purposes:
        if purpose.is_basic:
            continue
        consent_withdraw(
            subject=request.requester, purpose=purpose, channel=ConsentChannel.WEB, actor=request.requester
        )
