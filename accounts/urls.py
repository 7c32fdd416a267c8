"""The citizen's own account pages, one include a concept."""

from django.urls import include, path

app_name = "accounts"

urlpatterns = [
    path("identity/", include("accounts.identity.urls")),
    path("two-factor/", include("accounts.two_factor.urls")),
    path("activity/", include("accounts.activity.urls")),
    path("deliveries/", include("accounts.delivery.urls")),
    path("reminders/", include("accounts.reminders.urls")),
]
