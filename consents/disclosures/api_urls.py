from django.urls import path

from . import api

urlpatterns = [
    path("", api.DisclosureList.as_view(), name="api-consents-disclosures"),
]
