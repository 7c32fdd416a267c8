"""The notifications the incidents app sends (registered with ``notifications.kinds``)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import kind_register

# A personal-data security incident affecting the person (issue #6), sent in bulk by the fan-out.
SECURITY_INCIDENT = kind_register("security_incident", label=_("Security incident notice"))
