from django.urls import path

from . import api

urlpatterns = [
    path("", api.LocationList.as_view(), name="api-consents-location"),
    path("sharing/", api.LocationSharing.as_view(), name="api-consents-location-sharing"),
]
