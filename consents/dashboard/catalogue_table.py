"""The dashboard's catalogue (purposes, their data categories and partners), kept in each process.

Every dashboard view needs all of it and it changes through admin a few
times a year, so it is a ``core.process_cache`` table: reloaded when any of
its rows changes anywhere in the deployment. ``consents.apps`` imports this
module so that every process, web or worker, connects the invalidating signals.
The objects are shared by every request of the process: read-only.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from core.process_cache import ProcessTable

from ..models import DataCategory, Partner, Purpose


@dataclass(frozen=True)
class Catalogue:
    """The active purposes, what data each uses, and which partners receive what."""

    purposes: list[Purpose]
    categories_of: dict[int, list[DataCategory]]
    partners_of: dict[int, list[Partner]]
    partner_categories: dict[int, list[DataCategory]]
    # What ``catalogue_texts`` rendered from this copy, by (language, day): it lives and dies
    # with the copy, so a catalogue change (a new copy) can never show old texts.
    rendered: dict = field(default_factory=dict, compare=False, repr=False)


def _catalogue_read() -> Catalogue:
    """Five small queries whatever the catalogue's size, and no per-object related managers.

    Reading the many-to-many tables directly costs about half of what
    ``prefetch_related`` does here, on the portal's busiest personal page.
    """
    purposes = list(Purpose.objects.filter(active=True))
    partners = {partner.pk: partner for partner in Partner.objects.order_by("code")}
    categories_of: dict[int, list[DataCategory]] = defaultdict(list)
    for link in Purpose.data_categories.through.objects.select_related("datacategory").order_by("datacategory__code"):
        categories_of[link.purpose_id].append(link.datacategory)
    partner_categories: dict[int, list[DataCategory]] = defaultdict(list)
    for partner_link in Partner.data_categories.through.objects.select_related("datacategory").order_by(
        "datacategory__code"
    ):
        partner_categories[partner_link.partner_id].append(partner_link.datacategory)
    partners_of: dict[int, list[Partner]] = defaultdict(list)
    for partner_id, purpose_id in Partner.purposes.through.objects.values_list("partner_id", "purpose_id"):
        partners_of[purpose_id].append(partners[partner_id])
    for listed in partners_of.values():
        listed.sort(key=lambda partner: partner.code)
    # Plain dicts: a missing key must not add an entry to the copy every request shares.
    return Catalogue(purposes, dict(categories_of), dict(partners_of), dict(partner_categories))


dashboard_catalogue_table: ProcessTable[Catalogue] = ProcessTable("consents.dashboard_catalogue", _catalogue_read)
dashboard_catalogue_table.invalidate_on(
    Purpose,
    Partner,
    DataCategory,
    Purpose.data_categories.through,
    Partner.data_categories.through,
    Partner.purposes.through,
)
