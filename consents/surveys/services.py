"""Writes: recording and sending survey invitations, and withdrawing by the invitation's link."""

import enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.dispatch import dispatch_on_commit
from notifications import fanout

from ..fanout_topics import SURVEY_INVITATIONS
from ..models import ConsentChannel, ConsentState, SurveyInvitation
from ..services import consent_withdraw
from . import links, selectors

# Staff who may invite people to surveys (privacy officers hold it; see accounts.roles).
SEND_PERMISSION = "consents.change_surveyinvitation"


def survey_invitation_save(*, invitation: SurveyInvitation, actor, created: bool) -> SurveyInvitation:
    """Record or change an invitation's texts; refused once it is being sent (people have read them)."""
    with transaction.atomic():
        if not created and SurveyInvitation.objects.filter(pk=invitation.pk, fan_out__isnull=False).exists():
            raise ValidationError(_("This invitation has been sent: its text can no longer change."))
        invitation.save()
        audit_record(
            actor=actor,
            action="survey.invitation_saved" if created else "survey.invitation_changed",
            target=invitation,
            details={},
        )
    return invitation


def survey_invitation_send(*, invitation: SurveyInvitation, actor) -> SurveyInvitation:
    """Start inviting everyone whose survey consent holds; sending again resumes, never repeats."""
    from . import tasks

    if not actor.has_perm(SEND_PERMISSION):
        raise PermissionDenied
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.fan_out is None:
            invitation.fan_out = fanout.fan_out_start(
                key=SURVEY_INVITATIONS.key(invitation.pk),
                kind=SURVEY_INVITATIONS.kind,
                recipients=selectors.survey_invitation_recipients(),
            )
            invitation.save(update_fields=["fan_out"])
            audit_record(
                actor=actor,
                action="survey.invitation_sent",
                target=invitation,
                details={"people": invitation.fan_out.total},
            )
        dispatch_on_commit(tasks.survey_invitation_fan_out, invitation.pk)
    return invitation


def _withdraw_links(subject_ids: list[int]) -> dict[int, dict]:
    events = selectors.survey_consent_events(subject_ids=subject_ids)
    return {
        subject_id: {
            "withdraw_url": links.withdraw_url(
                subject_id=subject_id, purpose_code=selectors.SURVEY_PURPOSE, event_id=event_id
            )
        }
        for subject_id, event_id in events.items()
    }


def survey_invitation_fan_out_run(
    *, invitation: SurveyInvitation, batch_size: int = fanout.BATCH_SIZE, max_batches=None
) -> int:
    """Write the next invitations, each with its reader's own withdrawal link (the worker's side of sending)."""
    if invitation.fan_out is None:
        return 0
    return fanout.fan_out_run(
        fan_out=invitation.fan_out,
        recipients=selectors.survey_invitation_recipients(),
        context={"invitation": invitation},
        batch_size=batch_size,
        max_batches=max_batches,
        personal=_withdraw_links,
    )


class LinkOutcome(enum.Enum):
    READY = "ready"  # the consent the link was sent under still holds: it can be withdrawn
    WITHDRAWN = "withdrawn"  # this call withdrew it
    ALREADY = "already"  # nothing to do: withdrawn since, by the link or otherwise
    SUPERSEDED = "superseded"  # consented again since: the old link no longer speaks for the person


def _outcome(*, link: links.WithdrawLink, state: ConsentState | None) -> LinkOutcome:
    if state is None or not state.granted:
        return LinkOutcome.ALREADY
    if state.event_id != link.event_id:
        return LinkOutcome.SUPERSEDED
    return LinkOutcome.READY


def survey_link_check(*, link: links.WithdrawLink) -> LinkOutcome:
    """What following ``link`` would do now (the confirmation page's question)."""
    if link.purpose_code != selectors.SURVEY_PURPOSE:
        raise links.LinkInvalid
    state = ConsentState.objects.filter(
        subject_id=link.subject_id, purpose__code=link.purpose_code, partner__isnull=True
    ).first()
    return _outcome(link=link, state=state)


def survey_link_withdraw(*, link: links.WithdrawLink) -> LinkOutcome:
    """Withdraw the survey consent ``link`` was sent under, as the person would on the dashboard.

    Only for the survey purpose, only while that very consent is in force
    (its ledger event), and once: the state row is locked first, so two
    clicks at once withdraw once and the second reads "already withdrawn".
    The withdrawal writes the ledger, the state and the audit record, as
    every withdrawal does.
    """
    if link.purpose_code != selectors.SURVEY_PURPOSE:
        raise links.LinkInvalid
    with transaction.atomic():
        state = (
            ConsentState.objects.select_for_update()
            .select_related("subject", "purpose")
            .filter(subject_id=link.subject_id, purpose__code=link.purpose_code, partner__isnull=True)
            .first()
        )
        outcome = _outcome(link=link, state=state)
        if outcome is not LinkOutcome.READY or state is None:
            return outcome
        if not state.subject.is_active:
            raise links.LinkInvalid
        consent_withdraw(subject=state.subject, purpose=state.purpose, channel=ConsentChannel.WEB, actor=state.subject)
    return LinkOutcome.WITHDRAWN
