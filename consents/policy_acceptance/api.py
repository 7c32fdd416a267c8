"""``/api/v1/consents/policy/accept/``: what the signed-in person must accept, and accepting it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from consents.models import ConsentChannel
from consents.services import ConsentError
from core.api_errors import Conflict

from . import selectors, services
from .selectors import ACCEPTED
from .standing import policy_standing_remember


class PolicyPendingSerializer(serializers.Serializer):
    acceptance_required = serializers.BooleanField()
    policy_version = serializers.CharField(allow_null=True)
    effective_at = serializers.DateTimeField(allow_null=True)
    summary = serializers.CharField(allow_null=True, help_text=_("The summary of changes, in the person's language."))
    changes_url = serializers.CharField(allow_null=True)


class PolicyAcceptSerializer(serializers.Serializer):
    policy_version = serializers.CharField(
        max_length=20, help_text=_("The version accepted: the one the person was shown, e.g. 2026.2.")
    )


class PolicyAcceptedSerializer(serializers.Serializer):
    policy_version = serializers.CharField()
    accepted_at = serializers.DateTimeField()


class PolicyAcceptView(APIView):
    """A material change of the privacy policy must be read and accepted before optional uses can be turned on."""

    @extend_schema(responses={200: PolicyPendingSerializer}, operation_id="consents_policy_pending")
    def get(self, request):
        pending = selectors.policy_pending_for(user=request.user)
        if pending is None:
            data = {
                "acceptance_required": False,
                "policy_version": None,
                "effective_at": None,
                "summary": None,
                "changes_url": None,
            }
        else:
            data = {
                "acceptance_required": True,
                "policy_version": pending.version,
                "effective_at": pending.effective_at,
                "summary": pending.summary,
                "changes_url": request.build_absolute_uri(reverse("policy_changes", args=[pending.version])),
            }
        return Response(PolicyPendingSerializer(data).data)

    @extend_schema(
        request=PolicyAcceptSerializer,
        responses={
            200: PolicyAcceptedSerializer,
            409: OpenApiResponse(description=_("Not the version awaiting acceptance, or nothing to accept.")),
        },
        operation_id="consents_policy_accept",
    )
    def post(self, request):
        body = PolicyAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pending = selectors.policy_pending_for(user=request.user)
        if pending is None:
            raise Conflict({"policy_version": [_("No policy version is waiting for your acceptance.")]})
        if body.validated_data["policy_version"] != pending.version:
            raise Conflict(
                {
                    "policy_version": [
                        _("The version waiting for your acceptance is %(version)s.") % {"version": pending.version}
                    ]
                }
            )
        try:
            event = services.policy_accept(user=request.user, version=pending, channel=ConsentChannel.API)
        except ConsentError as error:
            raise Conflict({"policy_version": [str(error)]}) from None
        if isinstance(request.successful_authenticator, SessionAuthentication):
            policy_standing_remember(request, version=pending, standing=ACCEPTED)
        return Response(
            PolicyAcceptedSerializer({"policy_version": pending.version, "accepted_at": event.created_at}).data,
            status=status.HTTP_200_OK,
        )
