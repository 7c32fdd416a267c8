"""The catalogue's codes in words: a purpose's, a partner's or a data category's name in the active language.

Rows that keep a code (the consent ledger, disclosures, a withdrawal
request's details) are shown to a person with these names, in the export's
summary. Each function is one query over a short table; the summary calls
it once per export (``personal_data.fields.Words``), never once per row.
"""

from consents.models import DataCategory, Partner, Purpose


def purpose_names() -> dict[str, str]:
    return {purpose.code: purpose.name for purpose in Purpose.objects.order_by().only("code", "name_zh", "name_en")}


def partner_names() -> dict[str, str]:
    return {partner.code: partner.name for partner in Partner.objects.order_by().only("code", "name_zh", "name_en")}


def data_category_names() -> dict[str, str]:
    return {
        category.code: category.name for category in DataCategory.objects.order_by().only("code", "name_zh", "name_en")
    }
