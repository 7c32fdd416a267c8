"""The dashboard's texts that depend on the catalogue and the language, not on the person.

Names, descriptions, legal bases, data categories, partners and their
agreements make up most of the dashboard's markup and are the same for every
citizen reading in one language on one day (an agreement's "in force" turns
on the date). They are rendered once per process copy of the catalogue
(``catalogue_table``), language and day, and kept on that copy: a change to
the catalogue anywhere replaces the copy and so the texts with it. What
depends on the person (states, dates of choices, buttons) is rendered on
every request as before.
"""

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .catalogue_table import Catalogue
from .panels import PANEL_FOR_PURPOSE, PANEL_TITLES


@dataclass(frozen=True)
class PartnerTexts:
    about: SafeString
    withdraw_label: str
    confirm_label: str
    sharing_label: str


@dataclass(frozen=True)
class PurposeTexts:
    title: SafeString
    about: SafeString
    uses: SafeString
    withdraw_label: str
    grant_label: str
    confirm_label: str
    panel_link: str  # empty when the purpose has no panel
    partners_heading: str
    partners: dict[int, PartnerTexts]


def catalogue_texts(catalogue: Catalogue, *, today: datetime.date) -> dict[int, PurposeTexts]:
    """Each active purpose's texts by purpose id, in the active language, rendered once per copy and day."""
    key = (get_language(), today)
    texts = catalogue.rendered.get(key)
    if texts is None:
        texts = {purpose.pk: _purpose_texts(catalogue, purpose, today) for purpose in catalogue.purposes}
        # Every language stays (readers of both come and go all day); other days' texts are of no further use.
        for other in [other for other in list(catalogue.rendered) if other[1] != today]:
            catalogue.rendered.pop(other, None)
        catalogue.rendered[key] = texts
    return texts


def _purpose_texts(catalogue: Catalogue, purpose, today: datetime.date) -> PurposeTexts:
    context = {"purpose": purpose, "categories": catalogue.categories_of.get(purpose.pk, [])}
    partners = {}
    for partner in catalogue.partners_of.get(purpose.pk, []):
        partner_context = {
            "purpose": purpose,
            "partner": partner,
            "categories": catalogue.partner_categories.get(partner.pk, []),
            "in_force": partner.agreement_in_force(today),
        }
        partners[partner.pk] = PartnerTexts(
            about=render_to_string("consents/dashboard/texts/partner.html", partner_context),
            withdraw_label=_("Stop sharing with %(partner)s") % {"partner": partner.name},
            confirm_label=_("Allow sharing with %(partner)s…") % {"partner": partner.name},
            sharing_label=_("Sharing:"),
        )
    panel = PANEL_FOR_PURPOSE.get(purpose.code)
    return PurposeTexts(
        title=render_to_string("consents/dashboard/texts/title.html", context),
        about=render_to_string("consents/dashboard/texts/about.html", context),
        uses=render_to_string("consents/dashboard/texts/uses.html", context),
        withdraw_label=_("Withdraw consent to “%(name)s”") % {"name": purpose.name},
        grant_label=_("Give consent to “%(name)s”") % {"name": purpose.name},
        confirm_label=_("Give consent to “%(name)s”…") % {"name": purpose.name},
        panel_link=_("Settings in “%(section)s”") % {"section": PANEL_TITLES[panel]} if panel else "",
        partners_heading=_("Partners who receive data for this"),
        partners=partners,
    )
