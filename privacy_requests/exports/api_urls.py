"""Included by ``privacy_requests.api_urls`` under ``exports/`` (/api/v1/requests/exports/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("<int:export_id>/", api.ExportStatusView.as_view(), name="api-request-export"),
    path("<int:export_id>/download/", api.ExportDownloadView.as_view(), name="api-request-export-download"),
]
