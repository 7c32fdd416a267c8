"""The consent catalogue and the policy versions, kept in each process (``core.process_cache``).

Every consent check needs the purpose and partner named by code and whether
the partner serves the purpose; every signed-in page needs the policy version
in force. These rows change through admin a few times a year, so each process
keeps them and asks the shared cache once per request whether they moved.
Signals on the models invalidate them; ``services.partner_widen`` writes
with ``update()`` and invalidates explicitly.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from core.process_cache import ProcessTable

from .models import Partner, PolicyVersion, Purpose


@dataclass(frozen=True)
class Catalogue:
    purposes: dict[str, Purpose]
    partners: dict[str, Partner]
    # (partner id, purpose id) for every partner that serves a purpose.
    partner_purposes: frozenset[tuple[int, int]]

    def serves(self, *, partner: Partner, purpose: Purpose) -> bool:
        return (partner.pk, purpose.pk) in self.partner_purposes


def _catalogue_load() -> Catalogue:
    links = Partner.purposes.through.objects.values_list("partner_id", "purpose_id")
    return Catalogue(
        purposes={purpose.code: purpose for purpose in Purpose.objects.all()},
        partners={partner.code: partner for partner in Partner.objects.all()},
        partner_purposes=frozenset(links),
    )


def _policy_versions_load() -> tuple[PolicyVersion, ...]:
    # Drafts too: publishing one is a save, and "in force" depends on the clock, not on the load.
    return tuple(PolicyVersion.objects.order_by("-effective_at"))


catalogue_table: ProcessTable[Catalogue] = ProcessTable("consents.catalogue", _catalogue_load)
catalogue_table.invalidate_on(Purpose, Partner, Partner.purposes.through)

policy_versions_table: ProcessTable[tuple[PolicyVersion, ...]] = ProcessTable(
    "consents.policy_versions", _policy_versions_load
)
policy_versions_table.invalidate_on(PolicyVersion)


def catalogue_cached() -> Catalogue:
    """Purposes and partners by code, and which partner serves which purpose: no query when warm."""
    return catalogue_table.get()


def purpose_cached(code: str) -> Purpose | None:
    return catalogue_table.get().purposes.get(code)


def partner_cached(code: str) -> Partner | None:
    return catalogue_table.get().partners.get(code)


def policy_in_force_cached(*, on: datetime.datetime | None = None) -> PolicyVersion | None:
    """``selectors.policy_current`` from memory: the published version in effect at ``on`` (now)."""
    now = on or timezone.now()
    for version in policy_versions_table.get():
        if version.effective_at <= now and version.published_at is not None and version.published_at <= now:
            return version
    return None
