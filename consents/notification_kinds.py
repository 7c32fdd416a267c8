"""The notifications the consents app sends (registered with ``notifications.kinds``)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import kind_register

# A new version of the privacy policy, announced when it is published (issue #4), sent in
# bulk by the fan-out: one text per language, so the template names nobody.
POLICY_CHANGED = kind_register("policy_changed", label=_("Privacy policy changed"))
# Someone received the person's data (issue #6): who, what, when, why.
DATA_DISCLOSED = kind_register("data_disclosed", label=_("Your information was given to someone"))
# An invitation to a survey (issue #15), sent by the fan-out to people who consented to
# surveys; each copy carries the person's own signed link that withdraws the consent.
SURVEY_INVITATION = kind_register("survey_invitation", label=_("Survey invitation"))
