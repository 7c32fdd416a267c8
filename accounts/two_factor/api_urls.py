from django.urls import path

from . import api

urlpatterns = [
    path("two-factor/", api.two_factor, name="api-me-two-factor"),
]
