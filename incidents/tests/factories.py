"""A complete notice's texts, for tests (and the benchmark) that notify people."""

from datetime import timedelta

from django.utils import timezone

from consents.models import DataCategory

# Everything a notice must say beyond the title, the advice and the Chinese
# description, which every incident has (services.incident_notice_problems).
NOTICE_TEXTS = {
    "description_en": "An export folder was readable from outside by mistake.",
    "consequences_zh": "您可能会收到冒充我们的诈骗短信。",
    "consequences_en": "You may receive scam messages pretending to come from us.",
    "measures_zh": "我们已关闭该文件夹并更换了访问密钥。",
    "measures_en": "We closed the folder and replaced its access keys.",
}


def notice_fields(**overrides) -> dict:
    """Model fields of an incident whose notice says everything: texts and when it happened."""
    return {**NOTICE_TEXTS, "occurred_at": timezone.now() - timedelta(hours=2), **overrides}


def notice_complete(incident, *, categories=("contact",)):
    """Give a saved incident the categories its notice names; returns it."""
    incident.categories.set(DataCategory.objects.filter(code__in=categories))
    return incident
