"""Reads: the survey purpose, who is invited, the consent each link was sent under."""

from django.db.models import QuerySet

from accounts.selectors import citizen_accounts

from ..models import ConsentState, Purpose
from ..selectors import consent_missing_ids

# The catalogue's survey purpose (consents.catalogue).
SURVEY_PURPOSE = "surveys"


def survey_purpose() -> Purpose:
    return Purpose.objects.get(code=SURVEY_PURPOSE)


def survey_invitation_recipients() -> QuerySet:
    """Citizens whose consent to surveys holds now, by the consent check's own rules, as one query."""
    citizens = citizen_accounts()
    lacking = consent_missing_ids(user_ids=citizens.values("pk"), purpose=survey_purpose())
    return citizens.exclude(pk__in=lacking)


def survey_consent_events(*, subject_ids: list[int]) -> dict[int, int]:
    """The ledger event behind each person's current survey consent, by person: one query."""
    return dict(
        ConsentState.objects.filter(
            subject_id__in=subject_ids, purpose__code=SURVEY_PURPOSE, partner__isnull=True, granted=True
        ).values_list("subject_id", "event_id")
    )
