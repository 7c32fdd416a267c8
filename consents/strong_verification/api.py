"""``/api/v1/consents/verification/``: the signed-in person's identity level and their level-3 checks."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import VerificationLevel
from consents.models import StrongVerification

from . import selectors


class StrongVerificationSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=StrongVerification.Method.choices)
    outcome = serializers.ChoiceField(choices=StrongVerification.Outcome.choices)
    reference = serializers.CharField(help_text=_("The provider's reference for the check; empty at a counter."))
    partner = serializers.CharField(allow_null=True, help_text=_("The partner code, for face verification."))
    by_staff = serializers.BooleanField(help_text=_("Recorded by staff at a service counter."))
    created_at = serializers.DateTimeField()


class VerificationSerializer(serializers.Serializer):
    verification_level = serializers.ChoiceField(choices=VerificationLevel.choices)
    verification_level_label = serializers.CharField()
    face_consent = serializers.BooleanField(
        help_text=_("Consent to face verification and to the face-recognition partner, both current.")
    )
    bank_card_on_profile = serializers.BooleanField(help_text=_("A valid bank card number is on the profile."))
    ways = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The ways to reach level 3 (the method values); face verification is never the only one."),
    )
    history = StrongVerificationSerializer(many=True, help_text=_("The latest checks, newest first."))


class VerificationView(APIView):
    """How far the person's identity is verified, and the checks towards level 3."""

    @extend_schema(responses={200: VerificationSerializer}, operation_id="consents_verification_retrieve")
    def get(self, request):
        overview = selectors.verification_overview_for(user=request.user)
        data = {
            "verification_level": overview.level,
            "verification_level_label": overview.level_label,
            "face_consent": overview.face_consent,
            "bank_card_on_profile": overview.bank_card_valid,
            "ways": list(StrongVerification.Method.values),
            "history": [
                {
                    "method": check.method,
                    "outcome": check.outcome,
                    "reference": check.reference,
                    "partner": check.partner.code if check.partner else None,
                    "by_staff": check.recorded_by_id is not None,
                    "created_at": check.created_at,
                }
                for check in overview.history
            ],
        }
        return Response(VerificationSerializer(data).data)
