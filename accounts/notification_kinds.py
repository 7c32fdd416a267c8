"""The notifications the accounts app sends (registered with ``notifications.kinds``)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import kind_register

WELCOME = kind_register("welcome", label=_("Welcome message"))
IDENTITY_VERIFIED = kind_register("identity_verified", label=_("Identity verified"))
GUARDIAN_LINK_REQUESTED = kind_register("guardian_link_requested", label=_("Guardian link requested"))
GUARDIAN_LINK_CONFIRMED = kind_register("guardian_link_confirmed", label=_("Guardian link confirmed"))
GUARDIAN_LINK_ENDED = kind_register("guardian_link_ended", label=_("Guardian link ended"))
# One-time codes for the second factor: email only, an inbox copy would be
# readable by whoever holds the session the code is meant to confirm.
ONE_TIME_CODE = kind_register("one_time_code", label=_("One-time sign-in code"), inbox=False, sealed=True)
# A staff member's authenticator enrolment link: email only, for the same
# reason; whoever holds a leaked staff password could read the inbox.
STAFF_ENROLMENT = kind_register("staff_enrolment", label=_("Staff sign-in setup link"), inbox=False, sealed=True)
# Reminders to finish signing up (issue #15), sent by the reminders' fan-outs. The address
# is not confirmed yet, so its reminder is email only: the person cannot read an inbox.
EMAIL_CONFIRMATION_REMINDER = kind_register(
    "email_confirmation_reminder", label=_("Reminder to confirm your email address"), inbox=False
)
IDENTITY_VERIFICATION_REMINDER = kind_register(
    "identity_verification_reminder", label=_("Reminder to verify your identity")
)
