"""The consent check for platform services, and the citizen's own consents."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.service_clients.permissions import HasServiceScope
from accounts.service_clients.scopes import CONSENT_CHECK
from accounts.service_clients.throttling import ServiceClientRateThrottle

from .models import Partner, Purpose
from .selectors import consent_check


class ConsentCheckQuery(serializers.Serializer):
    subject = serializers.IntegerField(min_value=1, help_text="The person's platform user id.")
    purpose = serializers.SlugField(help_text="A purpose code, e.g. recommendations.")
    partner = serializers.SlugField(required=False, help_text="A partner code, when data is to be shared.")


class ConsentCheckAnswer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reason = serializers.CharField()
    policy_version = serializers.CharField(allow_null=True)
    purpose = serializers.CharField()
    partner = serializers.CharField(allow_null=True)


class ConsentCheckView(APIView):
    """May this person's data be used for a purpose (and shared with a partner) now?"""

    permission_classes = [HasServiceScope(CONSENT_CHECK)]
    throttle_classes = [ServiceClientRateThrottle]
    throttle_scope = "consent_check"

    @extend_schema(
        parameters=[
            OpenApiParameter("subject", int, required=True),
            OpenApiParameter("purpose", str, required=True),
            OpenApiParameter("partner", str, required=False),
        ],
        responses={
            200: ConsentCheckAnswer,
            400: OpenApiResponse(description="A parameter is missing or malformed, or names an unknown code."),
            404: OpenApiResponse(description="No such person."),
        },
    )
    def get(self, request):
        query = ConsentCheckQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        purpose = Purpose.objects.filter(code=data["purpose"]).first()
        if purpose is None:
            raise ValidationError({"purpose": [_("Unknown purpose: %(code)s.") % {"code": data["purpose"]}]})
        partner = None
        if data.get("partner"):
            partner = Partner.objects.filter(code=data["partner"]).first()
            if partner is None:
                raise ValidationError({"partner": [_("Unknown partner: %(code)s.") % {"code": data["partner"]}]})
        subject = get_user_model().objects.filter(pk=data["subject"], is_active=True).first()
        if subject is None:
            raise NotFound(_("No such person."))
        decision = consent_check(subject=subject, purpose=purpose, partner=partner)
        return Response(
            {
                "allowed": decision.allowed,
                "reason": decision.reason,
                "policy_version": decision.policy_version,
                "purpose": purpose.code,
                "partner": getattr(partner, "code", None),
            }
        )
