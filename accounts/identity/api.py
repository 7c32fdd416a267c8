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
from core.api_errors import Conflict
from core.masking import mask_bank_card, mask_id_number, mask_phone

from . import api_fields, selectors, services
from .providers import Outcome

# Well-formed values the account's state refuses: answered 409, not 400.
STATE_ERROR_CODES = frozenset({"not_business", "verified", "phone_taken", "already_verified", "verified_elsewhere"})


def _drf_errors(error: DjangoValidationError, state_codes: frozenset[str] = frozenset()) -> exceptions.APIException:
    """A service's ValidationError as DRF's, with field errors under their names.

    409 instead of 400 when every error is one of ``state_codes``: the value
    is well formed, but the account's state does not allow it.
    """
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    if hasattr(error, "error_dict"):
        codes = [item.code for items in error.error_dict.values() for item in items]
    else:
        codes = [item.code for item in error.error_list]
    if state_codes and all(code in state_codes for code in codes):
        return Conflict(detail)
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
    """Raw values in; each is checked by the same rules as the profile page. An empty string removes a value.

    The business fields (organisation_name, uscc, legal_representative) belong to business accounts only:
    sent for an individual account they are answered 409.
    """

    closed = True  # any other field is refused (see validate), and the schema says so

    legal_name = api_fields.optional_text("legal_name")()
    id_number = api_fields.OptionalIdNumberField()
    phone = api_fields.OptionalMobileField()
    bank_card = api_fields.OptionalBankCardField()
    organisation_name = api_fields.optional_text("organisation_name")()
    uscc = api_fields.OptionalUsccField()
    legal_representative = api_fields.optional_text("legal_representative")()

    def validate(self, attrs):
        # A client that sends a read-only field (verification_level, ...)
        # should hear that it had no effect rather than believe it did.
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
        return attrs


class IdentityVerificationSerializer(serializers.Serializer):
    legal_name = api_fields.NameField()
    id_number = api_fields.IdNumberField()

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
            409: OpenApiResponse(
                description=_("A business field sent for an individual account, or a verified field changed.")
            ),
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
            raise _drf_errors(error, state_codes=STATE_ERROR_CODES) from None
        request.user.refresh_from_db()
        return Response(MeSerializer(_me_data(request.user)).data)


class IdentityVerificationView(APIView):
    """Real-name verification of the signed-in person's legal name and resident ID number."""

    @extend_schema(
        request=IdentityVerificationSerializer,
        responses={
            200: IdentityVerificationResultSerializer,
            400: OpenApiResponse(description=_("A field is not valid.")),
            409: OpenApiResponse(description=_("The identity is already verified.")),
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
            raise _drf_errors(error, state_codes=STATE_ERROR_CODES) from None
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
