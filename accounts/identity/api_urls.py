from django.urls import path

from . import api

urlpatterns = [
    path("", api.MeView.as_view(), name="api-me"),
    path("identity-verification/", api.IdentityVerificationView.as_view(), name="api-me-identity-verification"),
]
