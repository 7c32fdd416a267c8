from django.urls import path

from . import api

urlpatterns = [
    path("", api.VerificationView.as_view(), name="api-consents-verification"),
]
