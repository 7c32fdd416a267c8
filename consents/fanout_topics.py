"""Policy-change announcements, as the fan-out engine and a person's export know them."""

from django.utils.translation import gettext_lazy as _

from notifications.topics import KEY_SEPARATOR, FanOutTopic, Notice, topic_register

from .models import PolicyVersion, SurveyInvitation
from .notification_kinds import POLICY_CHANGED, SURVEY_INVITATION

# One announcement per version, keyed "policy:<version pk>".
ANNOUNCEMENT_PREFIX = "policy"


def describe_policy_announcements(fan_outs) -> dict[int, Notice]:
    """The policy version each announcement told people about, by its number."""
    by_version: dict[int, int] = {}
    for fan_out in fan_outs:
        version_pk = fan_out.key.removeprefix(f"{ANNOUNCEMENT_PREFIX}{KEY_SEPARATOR}")
        if version_pk.isdigit():
            by_version[int(version_pk)] = fan_out.pk
    versions = PolicyVersion.objects.filter(pk__in=by_version).values_list("pk", "version")
    return {by_version[pk]: Notice(about=number) for pk, number in versions}


POLICY_ANNOUNCEMENTS = topic_register(
    FanOutTopic(
        prefix=ANNOUNCEMENT_PREFIX,
        kind=POLICY_CHANGED,
        label="privacy policy change",
        audience=_("Active citizens whose account existed before the version takes effect"),
        describe=describe_policy_announcements,
    )
)


def describe_survey_invitations(fan_outs) -> dict[int, Notice]:
    """The survey each invitation was about, by its title in the reader's language."""
    invitations = SurveyInvitation.objects.filter(fan_out_id__in=[fan_out.pk for fan_out in fan_outs])
    return {invitation.fan_out_id: Notice(about=invitation.title) for invitation in invitations}


SURVEY_INVITATIONS = topic_register(
    FanOutTopic(
        prefix="survey",
        kind=SURVEY_INVITATION,
        label="survey invitation",
        audience=_("Citizens whose consent to surveys holds when the invitation reaches them"),
        describe=describe_survey_invitations,
        view_permission="consents.view_surveyinvitation",
    )
)
