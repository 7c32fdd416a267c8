"""What this browser may load: the person's cookie choice and the browser's privacy signal.

Three sources, in this order:
- the Global Privacy Control signal (``Sec-GPC: 1``) is a refusal, whatever
  else was chosen, for as long as the browser sends it;
- for a signed-in person, the consent ledger (purpose ``cookies_analytics``);
  a choice made anonymously before signing in is deliberately not carried
  over, so a person who has not decided on their account sees the banner;
- for an anonymous visitor, the first-party choice cookie.
A minor cannot record a choice in the ledger themself (a guardian decides),
so a minor's own refusal is kept in the browser cookie; never an acceptance.
"""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from consents.models import ConsentState
from consents.selectors import consent_check, consent_snapshot_for

PURPOSE_CODE = "cookies_analytics"
# Strictly necessary: remembers the choice itself, including a refusal.
CHOICE_COOKIE = "cookie_choice"
# Optional: set only with consent; says "this browser was counted before".
ANALYTICS_COOKIE = "portal_analytics"
ACCEPT = "accept"
REFUSE = "refuse"
CHOICES = (ACCEPT, REFUSE)


def gpc_signal(*, request) -> bool:
    """Whether the browser sends the Global Privacy Control signal."""
    return request.headers.get("Sec-GPC", "").strip() == "1"


@dataclass(frozen=True)
class CookieChoice:
    choice: str | None
    gpc: bool
    signed_in: bool = False
    # The ledger row behind a signed-in person's choice, for "when, how".
    state: ConsentState | None = None
    # This request wrote the signal into the person's ledger (GlobalPrivacyControlMiddleware).
    gpc_recorded: bool = False

    @property
    def decided(self) -> bool:
        return self.choice is not None

    @property
    def analytics_allowed(self) -> bool:
        """Optional cookies and the analytics script may be used in this browser."""
        return self.choice == ACCEPT and not self.gpc

    @property
    def show_banner(self) -> bool:
        return not self.decided and not self.gpc

    @property
    def gpc_honoured(self) -> bool:
        """The signal overrides something: no choice yet, or an acceptance (or it just did, in the ledger)."""
        return self.gpc and (self.choice != REFUSE or self.gpc_recorded)


def cookie_state_for(*, subject) -> ConsentState | None:
    """The person's current ledger row for analytics cookies (one query, none on the dashboard)."""
    snapshot = consent_snapshot_for(subject=subject)
    if snapshot is not None and PURPOSE_CODE in snapshot.purposes:
        purpose = snapshot.purposes[PURPOSE_CODE]
        state = snapshot.states.get((purpose.pk, None))
        if state is not None:
            state.purpose = purpose
        return state
    return (
        ConsentState.objects.filter(subject=subject, purpose__code=PURPOSE_CODE, partner__isnull=True)
        .select_related("purpose", "policy_version")
        .first()
    )


def cookie_choice_of(*, subject, state: ConsentState | None = None, lookup: bool = True) -> str | None:
    """accept / refuse / None (not decided, or asked again after the purpose changed)."""
    if lookup:
        state = cookie_state_for(subject=subject)
    if state is None:
        return None
    if not state.granted:
        return REFUSE
    decision = consent_check(subject=subject, purpose=state.purpose)
    if decision.allowed:
        return ACCEPT
    # Granted but no longer covering (widened purpose, a minor's own click):
    # not a decision that counts, so ask again.
    return None


def cookie_choice_for(*, request) -> CookieChoice:
    """The choice that applies to this request; computed once per request."""
    cached = getattr(request, "_cookie_choice", None)
    if cached is not None:
        return cached
    gpc = gpc_signal(request=request)
    browser = request.COOKIES.get(CHOICE_COOKIE)
    browser = browser if browser in CHOICES else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        state = cookie_state_for(subject=user)
        choice = cookie_choice_of(subject=user, state=state, lookup=False)
        if choice is None and user.is_minor and browser == REFUSE:
            choice = REFUSE
        result = CookieChoice(choice=choice, gpc=gpc, signed_in=True, state=state)
    else:
        result = CookieChoice(choice=browser, gpc=gpc)
    request._cookie_choice = result
    return result


def analytics_counter_key(kind: str, day: date) -> str:
    return f"analytics:{kind}:{day.isoformat()}"


def analytics_counts(*, day: date | None = None) -> dict[str, int]:
    """The day's anonymous counts: page views and first-time browsers."""
    day = day or timezone.localdate()
    return {kind: cache.get(analytics_counter_key(kind, day), 0) for kind in ("pageviews", "new_browsers")}
