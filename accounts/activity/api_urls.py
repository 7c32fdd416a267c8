"""``/api/v1/me/sessions/`` and ``/api/v1/me/activity/``."""

from django.urls import path

from . import api

urlpatterns = [
    path("sessions/", api.SessionList.as_view(), name="api-me-sessions"),
    path("sessions/<int:session_id>/", api.SessionDetail.as_view(), name="api-me-session"),
    path("activity/", api.LoginActivityList.as_view(), name="api-me-activity"),
]
