"""``/api/v1/me/``: the signed-in person's profile and real-name verification over the API.

Sensitive values come back masked even to their owner: API responses end up
in client logs and caches that the person does not control. The full values
are on the profile page.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import AccountKind, VerificationLevel
from accounts.validators import clean_id_number
from core.masking import mask_bank_card, mask_id_number, mask_phone

from . import selectors, services
from .forms import FIELD_MAX_LENGTH
from .providers import Outcome


def _drf_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's, with field errors under their names."""
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    kind = serializers.ChoiceField(choices=AccountKind.choices)
    language = serializers.CharField()
    legal_name = serializers.CharField()
    id_number = serializers.CharField(help_text=_("Masked, e.g. 4401**********1234."))
    phone = serializers.CharField(help_text=_("Masked, e.g. 138****5678."))
    phone_verified = serializers.BooleanField()
    bank_card = serializers.CharField(help_text=_("Masked, e.g. 6222 **** 1234."))
    organisation_name = serializers.CharField(help_text=_("Business accounts only; empty otherwise."))
    uscc = serializers.CharField(help_text=_("Business accounts only; empty otherwise."))
    legal_representative = serializers.CharField(help_text=_("Business accounts only; empty otherwise."))
    is_minor = serializers.BooleanField(help_text=_("Under 14: a guardian decides beyond the basic service."))
    verification_level = serializers.ChoiceField(choices=VerificationLevel.choices)
    verification_level_label = serializers.CharField()
    verified_fields = serializers.ListField(child=serializers.CharField())
    editable_fields = serializers.ListField(
        child=serializers.CharField(), help_text=_("The fields PATCH may change: those not identity-verified.")
    )
    identity_verified_at = serializers.DateTimeField(allow_null=True)


class MeUpdateSerializer(serializers.Serializer):
    """Raw values in; each is checked by the same rules as the profile page. An empty string removes a value."""

    legal_name = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH["legal_name"])
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH["id_number"])
    phone = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH["phone"])
    bank_card = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH["bank_card"])
    organisation_name = serializers.CharField(
        required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH["organisation_name"]
    )
    uscc = serializers.CharField(required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH["uscc"])
    legal_representative = serializers.CharField(
        required=False, allow_blank=True, max_length=FIELD_MAX_LENGTH["legal_representative"]
    )

    def validate(self, attrs):
        # A client that sends a read-only field (verification_level, ...)
        # should hear that it had no effect rather than believe it did.
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
        return attrs


class IdentityVerificationSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=30)

    def validate_id_number(self, value):
        try:
            return clean_id_number(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class IdentityVerificationResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    message = serializers.CharField()
    reference = serializers.CharField(help_text=_("The provider's reference for this check."))
    verification_level = serializers.ChoiceField(choices=VerificationLevel.choices)


def _me_data(user) -> dict:
    profile = selectors.identity_profile_for(user=user)
    level = selectors.verification_level_for(user=user, profile=profile)
    business = user.kind == AccountKind.BUSINESS
    return {
        "id": user.pk,
        "email": user.email,
        "kind": user.kind,
        "language": user.language,
        "legal_name": profile.legal_name,
        "id_number": mask_id_number(profile.id_number),
        "phone": mask_phone(user.phone),
        "phone_verified": user.phone_verified,
        "bank_card": mask_bank_card(profile.bank_card),
        "organisation_name": profile.organisation_name if business else "",
        "uscc": profile.uscc if business else "",
        "legal_representative": profile.legal_representative if business else "",
        "is_minor": selectors.user_is_minor(user=user),
        "verification_level": level,
        "verification_level_label": str(VerificationLevel(level).label),
        "verified_fields": list(profile.verified_fields),
        "editable_fields": list(selectors.editable_fields_for(user=user, profile=profile)),
        "identity_verified_at": profile.identity_verified_at,
    }


class MeView(APIView):
    """The signed-in person's own profile. Nobody else's is reachable here."""

    @extend_schema(responses={200: MeSerializer}, operation_id="me_retrieve")
    def get(self, request):
        return Response(MeSerializer(_me_data(request.user)).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses={
            200: MeSerializer,
            400: OpenApiResponse(description=_("Field errors; nothing was saved.")),
        },
        operation_id="me_partial_update",
        description=_(
            "Change the fields that are not identity-verified. All values are checked first: "
            "if any is not valid, the answer names each bad field and nothing is saved."
        ),
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            services.identity_profile_update(user=request.user, data=dict(serializer.validated_data))
        except DjangoValidationError as error:
            raise _drf_errors(error) from None
        request.user.refresh_from_db()
        return Response(MeSerializer(_me_data(request.user)).data)


class IdentityVerificationView(APIView):
    """Real-name verification of the signed-in person's legal name and resident ID number."""

    @extend_schema(
        request=IdentityVerificationSerializer,
        responses={
            200: IdentityVerificationResultSerializer,
            400: OpenApiResponse(description=_("A field is not valid, or the identity is already verified.")),
            429: OpenApiResponse(description=_("Too many checks today.")),
            503: IdentityVerificationResultSerializer,
        },
        operation_id="me_identity_verification_create",
        description=_(
            "Answers with the provider's outcome: match (the account is now identity verified), mismatch or "
            "not_found with status 200; unavailable with status 503 (nothing was lost: try again later)."
        ),
    )
    def post(self, request):
        serializer = IdentityVerificationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = services.identity_verify(user=request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise _drf_errors(error) from None
        except services.VerificationThrottled:
            raise exceptions.Throttled(detail=_("Too many identity checks today. Please try again tomorrow.")) from None
        data = {
            "outcome": result.outcome,
            "message": services.verification_message(result.outcome),
            "reference": result.reference,
            "verification_level": selectors.verification_level_for(user=request.user),
        }
        code = status.HTTP_503_SERVICE_UNAVAILABLE if result.outcome == Outcome.UNAVAILABLE else status.HTTP_200_OK
        return Response(IdentityVerificationResultSerializer(data).data, status=code)
