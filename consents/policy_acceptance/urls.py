"""``/privacy/policy/…``: accepting a material change of the privacy policy."""

from django.urls import path

from . import views

urlpatterns = [
    path("accept/", views.policy_accept, name="policy_accept"),
]
