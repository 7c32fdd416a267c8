"""Reads for the site-wide pages: the signed-in home page's "what next" overview.

Home is the page people land on, so it reads little: one query for open
requests and one for the consent rows. The account's facts (the profile and
whether the email is confirmed) and the unread count came with the person
(``accounts.session_user``); the two-factor answer and the catalogue come
from caches.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from accounts.models import VerificationLevel
from accounts.two_factor.selectors import two_factor_enabled_cached
from consents.dashboard.fixed_sql import person_facts
from consents.dashboard.selectors import Catalogue, catalogue_load, dashboard_rows, dashboard_snapshot
from consents.dashboard.summary import dashboard_summary
from consents.selectors import ConsentSnapshot, consents_current_for
from core.compiled_query import CompiledQuery
from privacy_requests.models import PrivacyRequest
from privacy_requests.selectors import is_overdue, requests_for
from privacy_requests.state_machine import OPEN_STATES

# Open requests listed on home; the rest are one link away.
HOME_REQUESTS_SHOWN = 3

# The steps, in the order a new person should take them.
CONFIRM_EMAIL = "confirm_email"
VERIFY_IDENTITY = "verify_identity"
TURN_ON_TWO_FACTOR = "two_factor"


@dataclass(frozen=True)
class OpenRequest:
    request: PrivacyRequest
    overdue: bool


@dataclass(frozen=True)
class HomeOverview:
    #: What the person has not done yet, as step codes in the order to take them.
    next_steps: tuple[str, ...]
    open_requests: tuple[OpenRequest, ...]
    #: More open requests than are listed.
    more_requests: bool
    optional_on: int
    optional_total: int
    partners_receiving: int
    last_change: datetime.date | None


def _account_facts(*, user) -> tuple[bool, int]:
    """Whether the primary email is confirmed, and the identity level: read with the person, or one fixed statement.

    A person the session loaded (``accounts.session_user``) carries both. For
    anyone else (a test's user, a script) the dashboard's per-person statement
    (``person_facts``) answers, and its profile is left on ``user`` so the
    header's name (``verified_name_for``) reads it instead of asking again.
    """
    email_verified = getattr(user, "session_email_verified", None)
    if email_verified is not None and get_user_model().identity.is_cached(user):
        # Read with the person by the session (accounts/session_user.py): nothing to ask.
        profile = getattr(user, "identity", None)
    else:
        facts = person_facts(user=user)
        profile = facts.profile if facts is not None else None
        get_user_model().identity.related.set_cached_value(user, profile)
        email_verified = facts.email_verified if facts is not None else False
    level = profile.verification_level if profile is not None else VerificationLevel.REGISTERED
    return email_verified, level


def home_next_steps_for(*, user) -> tuple[str, ...]:
    email_confirmed, identity_level = _account_facts(user=user)
    steps = []
    if not email_confirmed:
        steps.append(CONFIRM_EMAIL)
    if identity_level < VerificationLevel.IDENTITY_VERIFIED:
        steps.append(VERIFY_IDENTITY)
    if not two_factor_enabled_cached(user=user):
        steps.append(TURN_ON_TWO_FACTOR)
    return tuple(steps)


def _open_requests_query(user_id):
    # Soonest deadline first: that is the one to watch.
    soonest = requests_for(user=user_id).filter(state__in=OPEN_STATES).order_by("due_date", "received_at")
    return soonest[: HOME_REQUESTS_SHOWN + 1]


# Compiled once per thread: home is the page people land on (core/compiled_query.py).
_open_requests = CompiledQuery(_open_requests_query)


def home_overview_for(*, user, current=None, catalogue: Catalogue | None = None) -> HomeOverview:
    """What the signed-in home page shows: next steps, open requests with deadlines, a consent summary.

    ``current`` and ``catalogue``: the person's consents and the catalogue when the caller read them already.
    """
    open_requests = _open_requests(user.pk)
    current = consents_current_for(subject=user) if current is None else current
    catalogue = catalogue or catalogue_load()
    summary = dashboard_summary(rows=dashboard_rows(subject=user, current=current, catalogue=catalogue))
    return HomeOverview(
        next_steps=home_next_steps_for(user=user),
        open_requests=tuple(
            OpenRequest(request=request, overdue=is_overdue(request)) for request in open_requests[:HOME_REQUESTS_SHOWN]
        ),
        more_requests=len(open_requests) > HOME_REQUESTS_SHOWN,
        optional_on=summary.optional_on,
        optional_total=summary.optional_total,
        partners_receiving=summary.partners_receiving,
        last_change=summary.last_change,
    )


def home_page_for(*, user) -> tuple[HomeOverview, ConsentSnapshot]:
    """The overview, and the consents and catalogue it read as a snapshot for the rest of the page.

    The header's cookie banner and the personalisation hints ask about the same
    person's consents while the page renders; with the snapshot in force
    (``consent_snapshot_active``) they answer from it instead of two more queries.
    """
    current = consents_current_for(subject=user)
    catalogue = catalogue_load()
    overview = home_overview_for(user=user, current=current, catalogue=catalogue)
    return overview, dashboard_snapshot(subject=user, current=current, catalogue=catalogue)
