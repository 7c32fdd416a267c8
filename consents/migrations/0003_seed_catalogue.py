"""Seed the policy's purposes, data categories, partners and first policy text."""

import datetime
from pathlib import Path

from django.db import migrations

from consents import catalogue

TEXTS = Path(__file__).resolve().parent.parent / "policy_texts"
FIRST_POLICY = "2026.1"
FIRST_EFFECTIVE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def seed(apps, schema_editor):
    DataCategory = apps.get_model("consents", "DataCategory")
    Purpose = apps.get_model("consents", "Purpose")
    Partner = apps.get_model("consents", "Partner")
    PolicyVersion = apps.get_model("consents", "PolicyVersion")

    categories = {}
    for code, name_zh, name_en, sensitive in catalogue.DATA_CATEGORIES:
        categories[code], _ = DataCategory.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sensitive": sensitive}
        )
    purposes = {}
    for code, kind, sensitive, basis, name_zh, name_en, desc_zh, desc_en, cats, order in catalogue.PURPOSES:
        purpose, _ = Purpose.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "sensitive": sensitive,
                "legal_basis": basis,
                "name_zh": name_zh,
                "name_en": name_en,
                "description_zh": desc_zh,
                "description_en": desc_en,
                "display_order": order,
            },
        )
        purpose.data_categories.set([categories[c] for c in cats])
        purposes[code] = purpose
    for code, kind, name_zh, name_en, reference, expires, purpose_codes, cats in catalogue.PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name_zh": name_zh,
                "name_en": name_en,
                "agreement_reference": reference,
                "agreement_expires_on": datetime.date.fromisoformat(expires),
            },
        )
        partner.purposes.set([purposes[c] for c in purpose_codes])
        partner.data_categories.set([categories[c] for c in cats])
    PolicyVersion.objects.get_or_create(
        version=FIRST_POLICY,
        defaults={
            "text_zh": (TEXTS / f"{FIRST_POLICY}.zh.md").read_text(encoding="utf-8"),
            "text_en": (TEXTS / f"{FIRST_POLICY}.en.md").read_text(encoding="utf-8"),
            "summary_zh": "首个版本。",
            "summary_en": "First version.",
            "material": False,
            "published_at": FIRST_EFFECTIVE,
            "effective_at": FIRST_EFFECTIVE,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("consents", "0002_ledger_append_only")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
