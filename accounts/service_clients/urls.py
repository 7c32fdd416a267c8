"""The OAuth2 endpoints services use; django-oauth-toolkit's authorize and application pages are not mounted."""

from django.urls import path
from oauth2_provider import views as oauth2_views

app_name = "oauth2_provider"

urlpatterns = [
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
]
