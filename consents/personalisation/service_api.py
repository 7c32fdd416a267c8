"""``POST /api/v1/interest-signals/``: platform services report what a person showed interest in.

The one source of interest tags besides the person: a service holding the
``interests:write`` scope sends the tags it observed for one person, and they
are kept only while that person's consent to personalised recommendations
stands. Without it the call is refused as a whole and nothing is kept; the
person sees and deletes every tag on the recommendations panel and through
``/api/v1/consents/interests/``.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.service_clients.permissions import HasServiceScope
from accounts.service_clients.scopes import INTERESTS_WRITE
from accounts.service_clients.throttling import ServiceClientRateThrottle

from .services import (
    SIGNAL_TAGS_MAX,
    TAG_MAX_LENGTH,
    InterestSignalRefused,
    InterestTagInvalid,
    interest_signals_record,
)


class InterestSignalIn(serializers.Serializer):
    subject = serializers.IntegerField(min_value=1, help_text="The person's id, as in the consent check.")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH, allow_blank=False),
        allow_empty=False,
        max_length=SIGNAL_TAGS_MAX,
        help_text=f"Up to {SIGNAL_TAGS_MAX} interests, each at most {TAG_MAX_LENGTH} characters.",
    )


class InterestSignalOut(serializers.Serializer):
    subject = serializers.IntegerField()
    recorded = serializers.ListField(child=serializers.CharField(), help_text="The tags as kept (lower case).")


class InterestSignalRefusal(serializers.Serializer):
    detail = serializers.CharField()
    reason = serializers.CharField(help_text="The consent check's reason, e.g. not_granted or withdrawn.")


class InterestSignalsView(APIView):
    """Record interest tags for a person who agreed to personalised recommendations."""

    permission_classes = [HasServiceScope(INTERESTS_WRITE)]
    throttle_classes = [ServiceClientRateThrottle]
    throttle_scope = "interests_write"

    @extend_schema(
        request=InterestSignalIn,
        responses={
            201: InterestSignalOut,
            400: OpenApiResponse(description="Malformed body: no tags, too many, an empty or too long one."),
            404: OpenApiResponse(description="No such person (or the account is closed)."),
            409: OpenApiResponse(
                InterestSignalRefusal,
                description="The person has not agreed to personalised recommendations (or withdrew): nothing kept.",
            ),
        },
        examples=[
            OpenApiExample("Two interests", request_only=True, value={"subject": 1042, "tags": ["transport", "公积金"]})
        ],
    )
    def post(self, request):
        body = InterestSignalIn(data=request.data)
        body.is_valid(raise_exception=True)
        subject = body.validated_data["subject"]
        try:
            recorded = interest_signals_record(
                subject_id=subject, tags=body.validated_data["tags"], client_id=request.auth.service_client_id
            )
        except InterestTagInvalid as error:
            raise ValidationError({"tags": [str(error)]}) from error
        except InterestSignalRefused as refused:
            if refused.reason == "unknown_subject":
                raise NotFound(_("No such person.")) from refused
            return Response(
                {
                    "detail": _("This person has not agreed to personalised recommendations; nothing was recorded."),
                    "reason": refused.reason,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response({"subject": subject, "recorded": recorded}, status=status.HTTP_201_CREATED)
