"""The notifications the rights-request app sends (registered with ``notifications.kinds``)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import kind_register

# Rights requests (issue #5): filed, each change of state, staff messages, extensions.
REQUEST_RECEIVED = kind_register("request_received", label=_("Rights request received"))
REQUEST_STATUS_CHANGED = kind_register("request_status_changed", label=_("Rights request updated"))
REQUEST_MESSAGE = kind_register("request_message", label=_("Message about a rights request"))
REQUEST_EXTENDED = kind_register("request_extended", label=_("Rights request deadline extended"))
# To the assigned staff member when the citizen replies.
REQUEST_CITIZEN_REPLIED = kind_register("request_citizen_replied", label=_("Reply from the requester"))
# The ZIP of an access or export request is ready to download (issue #5).
EXPORT_READY = kind_register("export_ready", label=_("Your copy of your data is ready"))
# A correction changed a verified field: the person verifies their identity again.
IDENTITY_REVERIFICATION_NEEDED = kind_register("identity_reverification_needed", label=_("Identity check needed again"))
ACCOUNT_CANCELLATION_FILED = kind_register("account_cancellation_filed", label=_("Account cancellation requested"))
# Sent to the address the account had: after a cancellation it has no inbox to read.
ACCOUNT_CANCELLED = kind_register("account_cancelled", label=_("Account cancelled"), inbox=False)
# To staff every morning: their requests overdue or due soon; officers also the escalated and unassigned
# ones (issue #15). Email only: staff do not read the citizens' inbox.
STAFF_OVERDUE_DIGEST = kind_register("staff_overdue_digest", label=_("Daily summary of overdue requests"), inbox=False)
