"""``/privacy/verification/…``: reaching identity level 3, by face, bank card or at a service counter."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.verification, name="verification"),
    path("face/consent/", views.face_consent, name="verification_face_consent"),
    path("face/consent/withdraw/", views.face_consent_withdraw, name="verification_face_consent_withdraw"),
    path("face/start/", views.face_start, name="verification_face_start"),
    path("bank-card/start/", views.bank_card_start, name="verification_bank_card_start"),
]
