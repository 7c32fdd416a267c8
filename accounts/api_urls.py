"""``/api/v1/me/…``: the signed-in person's own account over the API."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.identity.api_urls")),
    path("", include("accounts.activity.api_urls")),
    path("", include("accounts.two_factor.api_urls")),
]
