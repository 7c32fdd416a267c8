"""``/api/v1/consents/``: the signed-in person's consents, history and receipt."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.ConsentList.as_view(), name="api-consents"),
    path("grant/", api.ConsentGrant.as_view(), name="api-consents-grant"),
    path("withdraw/", api.ConsentWithdraw.as_view(), name="api-consents-withdraw"),
    path("history/", api.ConsentHistory.as_view(), name="api-consents-history"),
    path("receipt/", api.ConsentReceipt.as_view(), name="api-consents-receipt"),
]
