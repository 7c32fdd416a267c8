"""``/account/identity/…``: the person's identity profile, real-name verification, guardians."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.identity_profile, name="identity"),
    path("verify/", views.identity_verify, name="identity_verify"),
    path("guardians/", views.guardian_links, name="identity_guardians"),
    path("guardians/link/", views.guardian_link_request, name="identity_guardian_request"),
    path("guardians/<int:link_id>/confirm/", views.guardian_link_confirm, name="identity_guardian_confirm"),
    path("guardians/<int:link_id>/resend/", views.guardian_link_resend, name="identity_guardian_resend"),
    path("guardians/<int:link_id>/end/", views.guardian_link_end, name="identity_guardian_end"),
]
