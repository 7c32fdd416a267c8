"""Which purposes the dashboard's panels decide, and the panels' titles."""

from django.utils.translation import gettext_lazy as _

# Purposes whose switch lives in a panel of the dashboard: the panel does
# more than record consent (enrol in a service, offer to delete location
# history, set the cookie, show interest tags, start face verification) and
# has its own confirmation and step-up where the purpose is sensitive. The
# purpose list shows their state and links to the panel; changing them
# here would skip that extra work.
PANEL_FOR_PURPOSE = {
    "location_services": "location",
    "cookies_analytics": "cookies",
    "recommendations": "interests",
    "face_verification": "verification",
    "service_provident_fund": "services",
    "service_social_security": "services",
    "service_public_transport": "services",
    "service_taxation": "services",
    "service_household_registration": "services",
}

PANEL_TITLES = {
    "location": _("Location"),
    "cookies": _("Cookies"),
    "interests": _("Interests and recommendations"),
    "verification": _("Face verification and other checks"),
    "services": _("Optional services"),
}
