"""``/api/v1/consents/…``: the signed-in person's own consents over the API."""

from django.urls import include, path

urlpatterns = [
    path("", include("consents.dashboard.api_urls")),
    path("location/", include("consents.location.api_urls")),
    path("cookies/", include("consents.cookies.api_urls")),
    path("interests/", include("consents.personalisation.api_urls")),
    path("services/", include("consents.optional_services.api_urls")),
    path("verification/", include("consents.strong_verification.api_urls")),
    path("policy/", include("consents.policy_acceptance.api_urls")),
    path("disclosures/", include("consents.disclosures.api_urls")),
]
