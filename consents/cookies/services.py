"""Recording a cookie choice in the ledger, and counting page views anonymously."""

from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from consents.models import ConsentChannel, ConsentEvent, ConsentSubject, PolicyDisplay, Purpose
from consents.selectors import policy_current
from consents.services import ConsentError, consent_grant, consent_withdraw, policy_display_record

from .selectors import PURPOSE_CODE, REFUSE, analytics_counter_key, cookie_choice_of

# Counts are kept a little over a year, then the cache forgets them.
COUNTER_TIMEOUT = 400 * 24 * 60 * 60


def cookie_choice_record(*, subject, accept: bool, channel: str, actor) -> ConsentEvent:
    """Record a signed-in person's cookie choice as a grant or withdrawal.

    The banner or panel the person answered showed the current policy, so
    that version is noted as shown and tied to the event.
    """
    purpose = Purpose.objects.get(code=PURPOSE_CODE)
    policy_version = policy_current()
    where = (
        PolicyDisplay.Context.COOKIE_BANNER
        if channel == ConsentChannel.COOKIE_BANNER
        else PolicyDisplay.Context.CONSENT_REQUEST
    )
    change = consent_grant if accept else consent_withdraw
    with transaction.atomic():
        if policy_version is not None:
            policy_display_record(subject=actor, version=policy_version, purpose=purpose, context=where)
        return change(subject=subject, purpose=purpose, channel=channel, actor=actor, policy_version=policy_version)


def cookie_choice_gpc_record(*, subject) -> ConsentEvent | None:
    """Write the refusal a Global Privacy Control signal means into the person's ledger, once.

    Clause 3.2-3.4 honours the signal as a refusal; recording it makes the
    ledger say what the portal actually does with the person's analytics
    cookies, and through which channel ("gpc"). Nothing is written when the
    ledger already says "refuse", so a browser that sends the signal on
    every request leaves one event. Asked again under the person's consent
    lock, so two requests arriving together cannot both write. Returns the
    event, or None when nothing changed (or the rules refused: the signal
    is still honoured request by request).
    """
    with transaction.atomic():
        list(ConsentSubject.objects.select_for_update(no_key=True).filter(user=subject).values_list("pk", flat=True))
        if cookie_choice_of(subject=subject) == REFUSE:
            return None
        purpose = Purpose.objects.get(code=PURPOSE_CODE)
        try:
            return consent_withdraw(subject=subject, purpose=purpose, channel=ConsentChannel.GPC, actor=subject)
        except ConsentError:
            return None


def analytics_pageview_count(*, new_browser: bool, day: date | None = None) -> None:
    """Add one page view (and a first-time browser) to today's totals. Nothing else is kept."""
    day = day or timezone.localdate()
    kinds = ["pageviews"] + (["new_browsers"] if new_browser else [])
    for kind in kinds:
        key = analytics_counter_key(kind, day)
        cache.add(key, 0, timeout=COUNTER_TIMEOUT)
        try:
            cache.incr(key)
        except ValueError:
            # Expired between add and incr: start again from one.
            cache.set(key, 1, timeout=COUNTER_TIMEOUT)
