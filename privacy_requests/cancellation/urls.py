"""``/requests/cancel/…``: confirm an account cancellation, the page after it, and its reversal.

Included by ``privacy_requests/urls.py`` under "cancel/"; the names are
``privacy_requests:cancellation:<name>``.
"""

from django.urls import path

from . import views

app_name = "cancellation"

urlpatterns = [
    path("", views.cancellation_confirm, name="confirm"),
    path("done/", views.cancellation_done, name="done"),
    path("reverse/", views.cancellation_reverse, name="reverse"),
    path("outcome/<str:token>/", views.cancellation_outcome, name="outcome"),
]
