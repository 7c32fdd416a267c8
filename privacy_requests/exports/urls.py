"""Included by ``privacy_requests.urls`` under ``exports/`` (namespace ``privacy_requests``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:export_id>/", views.export_progress, name="export_progress"),
    path("<int:export_id>/download/", views.export_download, name="export_download"),
]
