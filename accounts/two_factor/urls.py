"""``/account/two-factor/…`` (namespace "accounts")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="two_factor_overview"),
    path("authenticator/", views.totp_setup, name="two_factor_totp_setup"),
    path("email/", views.email_setup, name="two_factor_email_setup"),
    path("recovery-codes/", views.recovery_codes, name="two_factor_recovery_codes"),
    path("turn-off/", views.disable, name="two_factor_disable"),
    path("verify/", views.verify, name="two_factor_verify"),
    path("step-up/", views.step_up, name="two_factor_step_up"),
    path("staff-enrolment/<str:token>/", views.staff_enrol, name="two_factor_staff_enrol"),
]
