"""The signed-in person's second factors over the API (read only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .selectors import two_factor_status


class TwoFactorStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Signing in asks for a second factor.")
    totp_confirmed = serializers.BooleanField(help_text="An authenticator app is set up and confirmed.")
    email_codes_enabled = serializers.BooleanField(help_text="Sign-in asks for a code sent by email.")
    email_codes_available = serializers.BooleanField(
        help_text="Codes can be emailed to the person (for step-up checks or as their second factor)."
    )
    recovery_codes_remaining = serializers.IntegerField(help_text="Unused single-use recovery codes.")


@extend_schema(responses={200: TwoFactorStatusSerializer}, operation_id="me_two_factor_retrieve")
@api_view(["GET"])
def two_factor(request):
    """What the signed-in person has enrolled as a second factor. Never the secrets themselves."""
    status = two_factor_status(user=request.user)
    return Response(
        TwoFactorStatusSerializer(
            {
                "enabled": status.enabled,
                "totp_confirmed": status.totp_confirmed,
                "email_codes_enabled": status.email_codes_enabled,
                "email_codes_available": status.email_codes_available,
                "recovery_codes_remaining": status.recovery_codes_remaining,
            }
        ).data
    )
