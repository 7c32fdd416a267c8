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
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext
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
    # The row's heading and description as the list shows them: one variable for the template, not three.
    intro: SafeString
    basic: SafeString  # the one-line entry in the collapsed list of basic purposes
    # The switch's words: "Turn off" is what a sighted person reads; the purpose's
    # name follows, visually hidden, so a screen reader's list of buttons says which.
    off_button: SafeString
    on_button: SafeString
    confirm_button: SafeString
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
    categories = catalogue.categories_of.get(purpose.pk, [])
    context = {"purpose": purpose, "categories_text": _categories_text(categories, marked=True)}
    partners = {}
    for partner in catalogue.partners_of.get(purpose.pk, []):
        partner_context = {
            "purpose": purpose,
            "partner": partner,
            "categories_text": _categories_text(catalogue.partner_categories.get(partner.pk, [])),
            "in_force": partner.agreement_in_force(today),
        }
        partners[partner.pk] = PartnerTexts(
            about=render_to_string("consents/dashboard/texts/partner.html", partner_context),
            withdraw_label=_("Stop sharing with %(partner)s") % {"partner": partner.name},
            confirm_label=_("Allow sharing with %(partner)s…") % {"partner": partner.name},
            sharing_label=_("Sharing:"),
        )
    panel = PANEL_FOR_PURPOSE.get(purpose.code)
    title = render_to_string("consents/dashboard/texts/title.html", context)
    about = render_to_string("consents/dashboard/texts/about.html", context)
    uses = render_to_string("consents/dashboard/texts/uses.html", context)
    return PurposeTexts(
        title=title,
        about=about,
        uses=uses,
        intro=format_html('{}<p class="dash-row-about">{} {}</p>', title, about, uses),
        basic=render_to_string(
            "consents/dashboard/texts/basic.html",
            {
                **context,
                "partners_text": _list(
                    _("%(partner)s (agreement %(reference)s)")
                    % {"partner": partner.name, "reference": partner.agreement_reference}
                    for partner in catalogue.partners_of.get(purpose.pk, [])
                ),
            },
        ),
        off_button=_switch_label(_("Turn off"), purpose.name),
        on_button=_switch_label(_("Turn on"), purpose.name),
        confirm_button=_switch_label(_("Turn on…"), purpose.name),
        panel_link=_("Settings in “%(section)s”") % {"section": PANEL_TITLES[panel]} if panel else "",
        partners_heading=_("Partners who receive data for this"),
        partners=partners,
    )


def _switch_label(action: str, name: str) -> SafeString:
    return format_html('{}<span class="visually-hidden"> “{}”</span>', action, name)


def _list(items) -> str:
    # "a, b" in English, "a、b" in Chinese.
    return pgettext("list separator", ", ").join(items)


def _categories_text(categories, *, marked: bool = False) -> str:
    return _list(
        _("%(category)s (sensitive)") % {"category": category.name} if marked and category.sensitive else category.name
        for category in categories
    )
