"""``/account/reminders/…``: the reminder setting, and the reminder's own "stop" link."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.reminder_settings, name="reminders"),
    path("stop/<str:token>/", views.reminders_stop, name="reminders_stop"),
]
