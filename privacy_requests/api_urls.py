"""``/api/v1/requests/…``: the citizen's rights requests over the API."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("", api.RequestListCreate.as_view(), name="api-requests"),
    path("<int:request_id>/", api.RequestRead.as_view(), name="api-request"),
    path("<int:request_id>/withdraw/", api.RequestWithdraw.as_view(), name="api-request-withdraw"),
    path("exports/", include("privacy_requests.exports.api_urls")),
]
