"""The citizen's consent pages, one include a concept."""

from django.urls import include, path

app_name = "consents"

urlpatterns = [
    path("", include("consents.dashboard.urls")),
    path("location/", include("consents.location.urls")),
    path("cookies/", include("consents.cookies.urls")),
    path("interests/", include("consents.personalisation.urls")),
    path("services/", include("consents.optional_services.urls")),
    path("verification/", include("consents.strong_verification.urls")),
    path("policy/", include("consents.policy_acceptance.urls")),
    path("disclosures/", include("consents.disclosures.urls")),
    path("services-used/", include("consents.service_usage.urls")),
]
