"""Disclosures in the personal-data registry (registered from consents/personal_data.py).

The ledger is evidence of what was given to whom: erasure forgets who the
person was (``user = NULL`` on their rows) and keeps the count. A disclosure
whose notice the law still defers is left out of the export: exporting it
would be the notice.
"""

from django.utils.translation import gettext_lazy as _

from consents.models import Disclosure, DisclosureSubject
from consents.models.disclosures import DisclosureBasis, DisclosureKind
from consents.names import data_category_names, partner_names, purpose_names
from personal_data.fields import moment, text
from personal_data.holds import is_held
from personal_data.registry import LegalBasis

from .selectors import disclosures_for

CODE = "disclosures"
CHUNK = 500
CATEGORY_SEPARATOR = ", "


def export_disclosures(user):
    for disclosure in disclosures_for(user=user).iterator(chunk_size=CHUNK):
        yield {
            "time": disclosure.disclosed_at,
            "recipient": disclosure.recipient_name,
            "recipient_partner": disclosure.recipient_partner.code if disclosure.recipient_partner_id else "",
            "kind": disclosure.kind,
            "legal_basis": disclosure.legal_basis,
            "purpose": disclosure.purpose.code if disclosure.purpose_id else "",
            "data_categories": CATEGORY_SEPARATOR.join(category.code for category in disclosure.data_categories.all()),
        }


def erase_disclosures(user) -> str:
    if is_held(user=user, category=CODE):
        return "kept"
    DisclosureSubject.objects.filter(user=user).update(user=None)
    return "anonymised"


ENTRY = {
    "label": _("Who received your information"),
    "fields": (
        moment("time", _("Time")),
        text("recipient", _("Recipient")),
        text("recipient_partner", _("Partner"), choices=partner_names),
        text("kind", _("Kind"), choices=DisclosureKind.choices),
        text("legal_basis", _("Legal basis"), choices=DisclosureBasis.choices),
        text("purpose", _("Purpose"), choices=purpose_names),
        text("data_categories", _("Kinds of information"), choices=data_category_names, separator=CATEGORY_SEPARATOR),
    ),
    "purpose": _("The law gives you the right to know who received your information."),
    "legal_basis": LegalBasis.STATUTORY_DUTY,
    # Disclosure's own user column is the staff member who recorded it.
    "models": [Disclosure, DisclosureSubject],
    "exporter": export_disclosures,
    "eraser": erase_disclosures,
}
