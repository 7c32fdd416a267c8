"""Reads for the citizen's consent dashboard, history and guardianship views.

The dashboard is the portal's busiest personal page, so it reads the
current-state table (``consents_current_for``) and the catalogue with a
fixed number of queries, and never touches the ledger: a person with ten
thousand consent events costs the same as one with ten.
"""

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.identity.selectors import can_act_for
from accounts.models import GuardianLink, IdentityProfile, User
from consents.models import (
    ConsentChannel,
    ConsentEvent,
    ConsentState,
    DataCategory,
    Partner,
    PolicyVersion,
    Purpose,
)
from consents.selectors import ConsentSnapshot, consents_current_for
from consents.table_caches import policy_in_force_cached

from .catalogue_table import Catalogue, dashboard_catalogue_table
from .catalogue_texts import PartnerTexts, PurposeTexts
from .fixed_sql import person_facts
from .notes import Note
from .panels import PANEL_FOR_PURPOSE, PANEL_TITLES


class State:
    BASIC = "basic"
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    NOT_DECIDED = "not_decided"
    # Given before the purpose was widened: no longer covers it.
    OUTDATED = "outdated"


STATE_LABELS = {
    State.BASIC: _("Basic: needed for the service"),
    State.GRANTED: _("Granted"),
    State.WITHDRAWN: _("Withdrawn"),
    State.NOT_DECIDED: _("Not decided"),
    State.OUTDATED: _("Needs renewing"),
}


def _state_of(state: ConsentState | None, purpose: Purpose) -> str:
    if state is None:
        return State.NOT_DECIDED
    if not state.granted:
        return State.WITHDRAWN
    if state.purpose_version != purpose.version:
        return State.OUTDATED
    return State.GRANTED


@dataclass
class PartnerRow:
    partner: Partner
    categories: list[DataCategory]
    consent: ConsentState | None
    state: str
    in_force: bool
    # Filled in by the view: where the buttons post to, and the texts that do not depend on the person.
    confirm_url: str = ""
    withdraw_url: str = ""
    texts: PartnerTexts | None = None
    state_badge: str = ""  # the state's label in its styled span

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


@dataclass
class PurposeRow:
    purpose: Purpose
    categories: list[DataCategory]
    consent: ConsentState | None
    state: str
    partners: list[PartnerRow]
    panel: str | None
    confirm_url: str = ""
    grant_url: str = ""
    withdraw_url: str = ""
    policy_url: str = ""
    texts: PurposeTexts | None = None
    state_badge: str = ""  # the state's label in its styled span
    note: Note | None = None  # the confirmation of a change just made here

    @property
    def code(self) -> str:
        return self.purpose.code

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def is_basic(self) -> bool:
        return self.purpose.is_basic

    @property
    def decided_here(self) -> bool:
        """Whether this list holds the purpose's own switch (not a panel)."""
        return purpose_decided_here(self.purpose)

    @property
    def panel_title(self):
        return PANEL_TITLES.get(self.panel or "", "")

    @property
    def needs_confirmation(self) -> bool:
        return self.purpose.sensitive

    @property
    def uses_sensitive_data(self) -> bool:
        return any(category.sensitive for category in self.categories)


def purpose_decided_here(purpose: Purpose) -> bool:
    """Whether the purpose list (and its API) holds this purpose's switch, rather than a panel."""
    return not purpose.is_basic and purpose.code not in PANEL_FOR_PURPOSE


def catalogue_load() -> Catalogue:
    """The active purposes, their data and partners: from the process's copy, no query when warm."""
    return dashboard_catalogue_table.get()


def dashboard_snapshot(*, subject: User, current, catalogue: Catalogue) -> ConsentSnapshot:
    """What the dashboard read, handed to its panels so they need not read it again."""
    partners = {partner.code: partner for listed in catalogue.partners_of.values() for partner in listed}
    return ConsentSnapshot(
        subject_id=subject.pk,
        states=current,
        purposes={purpose.code: purpose for purpose in catalogue.purposes},
        partners=partners,
        partner_purposes={
            (partner.pk, purpose_id) for purpose_id, listed in catalogue.partners_of.items() for partner in listed
        },
    )


def dashboard_rows(
    *, subject: User, current=None, catalogue: Catalogue | None = None, today: datetime.date | None = None
) -> list[PurposeRow]:
    """One row per active purpose with the person's current choice; six queries in all."""
    current = consents_current_for(subject=subject) if current is None else current
    catalogue = catalogue or catalogue_load()
    today = today or timezone.localdate()
    rows = []
    for purpose in catalogue.purposes:
        consent = current.get((purpose.pk, None))
        partner_rows = []
        for partner in catalogue.partners_of.get(purpose.pk, []):
            shared = current.get((purpose.pk, partner.pk))
            partner_rows.append(
                PartnerRow(
                    partner=partner,
                    categories=catalogue.partner_categories.get(partner.pk, []),
                    consent=shared,
                    state=_state_of(shared, purpose),
                    in_force=partner.agreement_in_force(today),
                )
            )
        rows.append(
            PurposeRow(
                purpose=purpose,
                categories=catalogue.categories_of.get(purpose.pk, []),
                consent=consent,
                state=State.BASIC if purpose.is_basic else _state_of(consent, purpose),
                partners=partner_rows,
                panel=PANEL_FOR_PURPOSE.get(purpose.code),
            )
        )
    return rows


def access_purpose(*, code: str) -> Purpose:
    """An active purpose by code, or 404."""
    purpose = Purpose.objects.filter(code=code, active=True).first()
    if purpose is None:
        raise Http404
    return purpose


def access_purpose_partner(*, purpose: Purpose, code: str) -> Partner:
    """A partner that receives data for ``purpose``, or 404."""
    partner = Partner.objects.filter(code=code, purposes=purpose).prefetch_related("data_categories").first()
    if partner is None:
        raise Http404
    return partner


def access_ward(*, guardian: User, minor_id: int) -> User:
    """The minor ``guardian`` decides for, by id; 404 for anybody else (including oneself)."""
    if minor_id == guardian.pk:
        raise Http404
    minor = User.objects.filter(pk=minor_id, is_active=True).first()
    if minor is None or not can_act_for(actor=guardian, subject=minor):
        raise Http404
    return minor


@dataclass(frozen=True)
class DashboardFacts:
    """What the dashboard's panels and ward list need to know about the person, besides consents."""

    subject_id: int
    identity: tuple[IdentityProfile, bool]  # the profile, and whether a contact is verified
    location_records: int
    has_wards: bool
    # False only when the person certainly has no such rows: the panel then skips its query.
    has_disclosures: bool = True
    has_strong_checks: bool = True
    has_interest_tags: bool = True
    has_enrolments: bool = True


def _confirmed_wards(guardian):
    return GuardianLink.objects.filter(
        guardian=guardian, state=GuardianLink.State.CONFIRMED, minor__is_active=True, minor__is_minor=True
    )


def dashboard_facts_for(*, subject: User) -> DashboardFacts:
    """One query for what three of the dashboard's parts would each read on their own.

    The verification panel's profile and contact check, the location panel's
    count of stored locations, and whether the person decides for anybody
    (most people do not, and then the list of wards is not read at all).
    The statement is fixed SQL (``fixed_sql``): compiling it in the ORM cost more than running it.
    """
    facts = person_facts(user=subject)
    if facts is None:
        return DashboardFacts(
            subject_id=subject.pk, identity=(IdentityProfile(user=subject), False), location_records=0, has_wards=False
        )
    return DashboardFacts(
        subject_id=subject.pk,
        identity=(facts.profile or IdentityProfile(user=subject), facts.contact_verified),
        location_records=facts.location_records,
        has_wards=facts.has_wards,
        has_disclosures=facts.has_disclosures,
        has_strong_checks=facts.has_strong_checks,
        has_interest_tags=facts.has_interest_tags,
        has_enrolments=facts.has_enrolments,
    )


def dashboard_facts_of(*, context, subject) -> DashboardFacts | None:
    """The facts the dashboard read, for a panel tag showing ``subject`` (None on any other page)."""
    facts = context.get("dashboard_facts")
    return facts if facts is not None and facts.subject_id == subject.pk else None


@dataclass(frozen=True)
class Ward:
    pk: int
    name: str
    url: str


def wards_of(*, guardian: User) -> list[Ward]:
    """The minors this person decides for, through a confirmed guardian link (one light query)."""
    rows = (
        _confirmed_wards(guardian)
        .order_by("confirmed_at", "pk")
        .values_list("minor_id", "minor__last_name", "minor__first_name", "minor__username")
    )
    return [
        Ward(pk=pk, name=f"{last}{first}" or username, url=reverse("consents:ward_dashboard", args=[pk]))
        for pk, last, first, username in rows
    ]


def consent_history_for(*, subject: User):
    """The person's consent events, newest first, ready to page."""
    return (
        ConsentEvent.objects.filter(subject=subject)
        .select_related("purpose", "partner", "policy_version")
        .order_by("-created_at", "-seq")
    )


def event_actor_label(event: ConsentEvent, *, viewer: User) -> str:
    """Who made the change, as the viewer should read it: you, the guardian, staff or the person."""
    if event.channel == ConsentChannel.STAFF:
        return str(_("staff"))
    if event.actor_id == viewer.pk:
        return str(_("you"))
    if event.channel == ConsentChannel.GUARDIAN or event.actor_id != event.subject_id:
        if viewer.pk == event.subject_id:
            return str(_("your guardian"))
        return str(_("another guardian"))
    return str(_("the person themself"))


def policy_in_effect() -> PolicyVersion | None:
    """The policy version in effect, from the process's copy of the version table (no query when warm)."""
    return policy_in_force_cached()
