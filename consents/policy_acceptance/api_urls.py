from django.urls import path

from . import api

urlpatterns = [
    path("accept/", api.PolicyAcceptView.as_view(), name="api-consents-policy-accept"),
]
