"""``/api/v1/requests/``: the signed-in citizen's own rights requests over the API.

Create, list, read and withdraw. Creating needs a step-up check passed in
the caller's session within 10 minutes (``RecentVerificationPermission``:
a clear 403 with the step-up address otherwise), and the check is recorded
on the request. A request's details are checked by the same forms as the
pages, so both refuse the same input. Account cancellation is not filed
here: it has its own confirmation flow in the portal.
"""

from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.two_factor.decorators import STEP_UP_MINUTES, RecentVerificationPermission
from accounts.two_factor.selectors import step_up_recent
from core.api_errors import Conflict

from . import selectors, services
from .api_details import CREATE_BODY
from .erasure_propagation import selectors as propagation_selectors
from .exports.api import ExportQuotaThrottled
from .exports.services import ExportQuotaExceeded
from .forms import FORMS
from .fulfilment.deletion import ACCOUNT_SCOPE
from .models import PrivacyRequest, RefusalReason, RequestChannel, RequestKind, RequestOutcome, RequestState

API_KINDS = list(FORMS)


def _codes(choices) -> str:
    return ", ".join(choices.values)


class EventOut(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    created_at = serializers.DateTimeField()


class MessageOut(serializers.Serializer):
    from_staff = serializers.BooleanField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class OutcomeOut(serializers.Serializer):
    category = serializers.CharField()
    result = serializers.CharField(help_text=_codes(RequestOutcome.Result))
    legal_reason = serializers.CharField()


class ServiceErasureOut(serializers.Serializer):
    service = serializers.CharField()
    status = serializers.CharField(help_text="pending, confirmed, closed (by a privacy officer) or overdue")
    due_at = serializers.DateTimeField()
    erased_at = serializers.DateTimeField(allow_null=True)


class PrivacyRequestSummary(serializers.ModelSerializer):
    # Plain strings with their codes listed: other components name enums "kind" and "state" too.
    kind = serializers.CharField(read_only=True, help_text=_codes(RequestKind))
    state = serializers.CharField(read_only=True, help_text=_codes(RequestState))
    channel = serializers.CharField(read_only=True, help_text=_codes(RequestChannel))
    overdue = serializers.SerializerMethodField()
    due_soon = serializers.SerializerMethodField()
    paused = serializers.SerializerMethodField()

    class Meta:
        model = PrivacyRequest
        fields = [
            "id",
            "reference",
            "kind",
            "state",
            "channel",
            "received_at",
            "verified_at",
            "due_date",
            "overdue",
            "due_soon",
            "paused",
            "paused_since",
            "closed_at",
        ]
        read_only_fields = fields

    def _flags(self, obj):
        cache = self.context.setdefault("flags", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.deadline_flags(obj, limit=self.context.get("due_soon_limit"))
        return cache[obj.pk]

    def get_overdue(self, obj) -> bool:
        return self._flags(obj).overdue

    def get_due_soon(self, obj) -> bool:
        return self._flags(obj).due_soon

    def get_paused(self, obj) -> bool:
        return self._flags(obj).paused


class PrivacyRequestDetail(PrivacyRequestSummary):
    refusal_reason = serializers.CharField(read_only=True, help_text=_codes(RefusalReason))
    details = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    messages = MessageOut(many=True, read_only=True)
    outcomes = OutcomeOut(many=True, read_only=True)
    propagation = serializers.CharField(
        read_only=True,
        help_text="Deletion and cancellation: pending (services still to confirm erasure), confirmed, closed "
        "(by a privacy officer); empty when not needed.",
    )
    services = serializers.SerializerMethodField()

    class Meta(PrivacyRequestSummary.Meta):
        fields = [
            *PrivacyRequestSummary.Meta.fields,
            "extension_reason",
            "refusal_reason",
            "refusal_explanation",
            "answer",
            "details",
            "events",
            "messages",
            "outcomes",
            "propagation",
            "fully_done_at",
            "services",
        ]
        read_only_fields = fields

    @extend_schema_field(ServiceErasureOut(many=True))
    def get_services(self, obj):
        """The services told to erase their copies, and where each stands."""
        rows = propagation_selectors.propagation_rows(request=obj)
        return ServiceErasureOut(rows, many=True).data

    def get_details(self, obj) -> dict:
        return services.request_details(obj)

    @extend_schema_field(EventOut(many=True))
    def get_events(self, obj):
        return EventOut(selectors.citizen_timeline(request=obj), many=True).data


class PrivacyRequestCreate(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=API_KINDS,
        help_text="access, export, correction, deletion, withdrawal (consent) or complaint. "
        "Account cancellation is requested in the portal.",
    )
    details = serializers.DictField(
        required=False,
        default=dict,
        help_text="Per kind: correction {field, new_value, reason}; withdrawal {purposes: [codes]}; "
        "deletion {categories: [codes], optional}; complaint {subject, message}; access/export {note, optional}.",
    )


StepUpRequired = inline_serializer(
    "StepUpRequired",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text="step_up_required"),
        "step_up_url": serializers.URLField(help_text="Open this page, enter a one-time code, then try again."),
    },
)
DuplicateOut = inline_serializer(
    "DuplicateRequest",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text="duplicate_request"),
        "open_request": PrivacyRequestSummary(),
    },
)
DetailsConflictOut = inline_serializer(
    "DetailsConflict",
    fields={
        "details": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        "request_id": serializers.CharField(),
    },
)
ConflictOut = inline_serializer(
    "TransitionNotAllowed", fields={"detail": serializers.CharField(), "code": serializers.CharField()}
)


# Refusals that depend on the person's data, not on the body's shape: a
# purpose they have not granted, a detail they cannot correct.
STATE_ERROR_CODES = {"invalid_choice", "unknown_purpose", "basic_purpose"}
STATE_FIELDS = {"field", "purposes"}
# A deletion that would close the account is well formed too: it belongs to account cancellation.
STATE_ERRORS = {("categories", ACCOUNT_SCOPE)}


def _details_validate(*, kind: str, details: dict, user) -> dict:
    """The kind's page form checks the details; its errors come back under "details".

    400 when the details are malformed; 409 when they are well formed but name
    something this person's data does not allow.
    """
    form = FORMS[kind](data=details, user=user)
    if not form.is_valid():
        body = {"details": {field: [str(e) for e in errors] for field, errors in form.errors.items()}}
        codes = {(field, error.code) for field, errors in form.errors.as_data().items() for error in errors}
        if all(
            (field in STATE_FIELDS and code in STATE_ERROR_CODES) or (field, code) in STATE_ERRORS
            for field, code in codes
        ):
            raise Conflict(body)
        raise ValidationError(body)
    return form.details()


class RequestListCreate(generics.ListCreateAPIView):
    """The signed-in person's rights requests, newest first; POST files a new one."""

    serializer_class = PrivacyRequestSummary

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), RecentVerificationPermission()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.requests_for(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "due_soon_limit": selectors.due_soon_limit()}

    @extend_schema(
        request=CREATE_BODY,
        responses={
            201: PrivacyRequestDetail,
            400: OpenApiResponse(description="Unknown kind or invalid details; field errors under details."),
            403: OpenApiResponse(StepUpRequired, description="No step-up check in the last 10 minutes."),
            409: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="RequestCreateConflict",
                    serializers=[DuplicateOut, DetailsConflictOut],
                    resource_type_field_name=None,
                ),
                description="An open request of this kind exists (code duplicate_request); or the details name a "
                "purpose the person has not granted or a detail they cannot correct, or a deletion would close the "
                "account, which account cancellation does (field errors under details).",
            ),
            429: OpenApiResponse(description="Daily limit of access/export requests reached; see Retry-After."),
        },
    )
    def post(self, request, *args, **kwargs):
        incoming = PrivacyRequestCreate(data=request.data)
        incoming.is_valid(raise_exception=True)
        kind = incoming.validated_data["kind"]
        details = _details_validate(kind=kind, details=incoming.validated_data["details"], user=request.user)
        check = step_up_recent(request=request, minutes=STEP_UP_MINUTES)
        try:
            created = services.privacy_request_create(
                requester=request.user,
                kind=kind,
                details=details,
                channel=RequestChannel.API,
                identity_check=check,
            )
        except ExportQuotaExceeded as refused:
            raise ExportQuotaThrottled(refused) from refused
        except services.DuplicateRequest as duplicate:
            return Response(
                {
                    "detail": str(duplicate),
                    "code": "duplicate_request",
                    "open_request": PrivacyRequestSummary(duplicate.open_request).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        created = selectors.access_privacy_request(user=request.user, request_id=created.pk)
        return Response(PrivacyRequestDetail(created).data, status=status.HTTP_201_CREATED)


class RequestRead(generics.RetrieveAPIView):
    """One of the person's requests, with its timeline, messages and outcomes (404 for anyone else's)."""

    serializer_class = PrivacyRequestDetail

    def get_object(self):
        return selectors.access_privacy_request(user=self.request.user, request_id=self.kwargs["request_id"])


class RequestWithdraw(APIView):
    """Withdraw one of the person's requests while it is open."""

    @extend_schema(
        request=None,
        responses={
            200: PrivacyRequestDetail,
            404: OpenApiResponse(description="No such request of yours."),
            409: OpenApiResponse(ConflictOut, description="The request is already closed."),
        },
    )
    def post(self, request, request_id: int):
        privacy_request = selectors.access_privacy_request(user=request.user, request_id=request_id)
        try:
            services.privacy_request_withdraw(request=privacy_request, actor=request.user)
        except services.TransitionNotAllowed as error:
            return Response({"detail": error.message, "code": "not_allowed"}, status=status.HTTP_409_CONFLICT)
        return Response(PrivacyRequestDetail(privacy_request).data)
