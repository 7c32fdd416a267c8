from django.urls import path

from . import api

urlpatterns = [
    path("", api.CookieChoiceView.as_view(), name="api-consents-cookies"),
]
