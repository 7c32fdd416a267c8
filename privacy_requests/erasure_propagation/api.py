"""``/api/v1/erasure-instructions/``: a service with the ``erasure`` scope catches up and acknowledges.

The service authenticates with its OAuth access token and, to acknowledge,
also signs the body with its webhook endpoint's secret, in the scheme the
portal signs its deliveries with (``webhooks.signing``): a stolen token
alone cannot confirm an erasure, and a captured acknowledgement cannot be
sent again (its instruction is then acknowledged: 409; against another
instruction the body names the wrong one: 400; its timestamp ages out: 400).
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.service_clients.permissions import HasServiceScope
from accounts.service_clients.scopes import ERASURE
from accounts.service_clients.selectors import service_client_for_request
from accounts.service_clients.throttling import ServiceClientRateThrottle
from core.api_errors import Conflict
from webhooks.models import WebhookEndpoint
from webhooks.signing import SIGNATURE_HEADER, SignatureError, signature_verify

from . import selectors, services
from .models import ErasureInstruction

STATUS_HELP = "pending, confirmed, closed; overdue: pending and past ack_due_by."


class InstructionOut(serializers.ModelSerializer):
    instruction_id = serializers.IntegerField(source="pk", read_only=True)
    request_id = serializers.IntegerField(read_only=True)
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    scope = serializers.SerializerMethodField(help_text="The erased data category codes, comma-separated.")
    ack_due_by = serializers.DateTimeField(source="due_at", read_only=True)

    class Meta:
        model = ErasureInstruction
        fields = [
            "instruction_id",
            "request_id",
            "subject_id",
            "kind",
            "scope",
            "status",
            "issued_at",
            "ack_due_by",
            "acknowledged_at",
            "erased_at",
        ]

    def get_status(self, obj) -> str:
        return selectors.display_status(obj, now=self.context.get("now"))

    def get_scope(self, obj) -> str:
        return services.scope_text(obj)


class AcknowledgementIn(serializers.Serializer):
    instruction_id = serializers.IntegerField(
        help_text="The instruction acknowledged (the same as in the URL): it binds the signature to it."
    )
    erased_at = serializers.DateTimeField(help_text="When the service erased its copy (ISO 8601 with time zone).")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


def _client(request):
    return service_client_for_request(request)


def _endpoint_secrets(client) -> list[str]:
    secrets: list[str] = []
    for endpoint in WebhookEndpoint.objects.filter(client_id=client.pk, active=True):
        secrets.extend(endpoint.signing_secrets())
    return secrets


def _verified_body(request, client) -> tuple[bytes, str]:
    """The raw body and its nonce, once the signature header checks out against the client's secrets."""
    body = request.body
    header = request.headers.get(SIGNATURE_HEADER, "")
    if not header:
        raise ValidationError(
            {"signature": [_("Sign the body: the %(header)s header is missing.") % {"header": SIGNATURE_HEADER}]}
        )
    secrets = _endpoint_secrets(client)
    if not secrets:
        raise ValidationError({"signature": [_("This service has no active webhook endpoint to sign with.")]})
    try:
        signed_at = signature_verify(secrets=secrets, timestamp=None, body=body, signature=header)
    except SignatureError as error:
        if "tolerance" in str(error):
            message = _("The signature's timestamp is too old or in the future: sign the body again.")
        elif "malformed" in str(error):
            message = _("The signature header is malformed: expected t=<timestamp>,v1=<signature>.")
        else:
            message = _("The signature does not match the body and this service's secret.")
        raise ValidationError({"signature": [message]}) from None
    return body, services.ack_nonce(signed_at=signed_at, body=body)


@extend_schema(
    summary="Acknowledge an erasure instruction",
    description=(
        "The service confirms it erased its copy. The body is signed like a webhook delivery: header "
        f"`{SIGNATURE_HEADER}: t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<body>' with the endpoint secret>`, "
        "within 5 minutes of now. A signed body is accepted once."
    ),
    request=AcknowledgementIn,
    parameters=[
        OpenApiParameter(SIGNATURE_HEADER, str, OpenApiParameter.HEADER, required=True, description="t=...,v1=...")
    ],
    responses={
        200: InstructionOut,
        400: OpenApiResponse(description="Unsigned, wrongly signed, expired or replayed; or a field is invalid."),
        401: OpenApiResponse(description="No valid access token."),
        403: OpenApiResponse(description="The token lacks the erasure scope."),
        404: OpenApiResponse(description="No such instruction for this service."),
        409: OpenApiResponse(description="Already acknowledged, or closed by a privacy officer."),
    },
)
class InstructionAcknowledge(APIView):
    permission_classes = [HasServiceScope(ERASURE)]
    throttle_classes = [ServiceClientRateThrottle]
    throttle_scope = "erasure"

    def post(self, request, instruction_id: int):
        client = _client(request)
        instruction = selectors.access_erasure_instruction(client=client, instruction_id=instruction_id)
        _body, nonce = _verified_body(request, client)
        data = AcknowledgementIn(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["instruction_id"] != instruction.pk:
            raise ValidationError(
                {"instruction_id": [_("The signed body names another instruction than the address.")]}
            )
        try:
            acknowledged = services.erasure_instruction_acknowledge(
                instruction=instruction,
                client=client,
                erased_at=data.validated_data["erased_at"],
                note=data.validated_data["note"],
                nonce=nonce,
            )
        except services.AlreadyAcknowledged as error:
            raise Conflict({"status": [error.message]}) from None
        except services.PropagationNotAllowed as error:
            raise ValidationError({error.field: [error.message]}) from None
        return Response(InstructionOut(acknowledged).data)


@extend_schema(
    summary="List this service's erasure instructions",
    description="To catch up on missed webhooks: `?status=pending` lists what is still to acknowledge.",
    parameters=[OpenApiParameter("status", str, enum=list(selectors.STATUS_FILTERS), required=False)],
    responses={200: InstructionOut(many=True), 400: OpenApiResponse(description="Unknown status.")},
)
class InstructionList(generics.ListAPIView):
    permission_classes = [HasServiceScope(ERASURE)]
    throttle_classes = [ServiceClientRateThrottle]
    throttle_scope = "erasure"
    serializer_class = InstructionOut

    def get_queryset(self) -> QuerySet[ErasureInstruction]:
        status = self.request.query_params.get("status", "")
        if status and status not in selectors.STATUS_FILTERS:
            codes = ", ".join(selectors.STATUS_FILTERS)
            raise ValidationError({"status": [_("Unknown status; use one of: %(codes)s.") % {"codes": codes}]})
        return selectors.erasure_instructions_for_client(client=_client(self.request), status=status)
