"""``/api/v1/consents/``: the signed-in person's own consents over the API.

The same rules as the dashboard: granting a sensitive purpose or sharing
with a partner needs a fresh step-up check in the caller's session (a token
client never has one, so those grants need the person at a browser);
withdrawing never does. Purposes whose switch lives in a dedicated section
(location, cookies, interests, optional services) are changed through that
section's endpoints, which do the extra work (enrolment, data deletion).
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.two_factor.decorators import RecentVerificationPermission
from consents.models import ConsentChannel, ConsentEvent, Partner, Purpose
from consents.selectors import policy_current
from consents.services import ConsentError, consent_grant, consent_withdraw
from core.api_errors import Conflict, UnknownReference

from .receipt import consent_receipt
from .selectors import PANEL_FOR_PURPOSE, State, consent_history_for, dashboard_rows, purpose_decided_here

STATES = [State.BASIC, State.GRANTED, State.WITHDRAWN, State.NOT_DECIDED, State.OUTDATED]
STATE_HELP = (
    "basic: needed for the service, no consent asked; granted; withdrawn; not_decided: never chosen; "
    "outdated: granted before the purpose was widened, so it no longer covers it."
)


class PartnerState(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    data_categories = serializers.ListField(child=serializers.CharField(), help_text="Data category codes it receives.")
    agreement_reference = serializers.CharField()
    agreement_expires_on = serializers.DateField()
    agreement_in_force = serializers.BooleanField()
    state = serializers.ChoiceField(choices=STATES, help_text=STATE_HELP)
    changed_at = serializers.DateTimeField(allow_null=True)
    policy_version = serializers.CharField(allow_null=True)


class PurposeState(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField(help_text="basic or optional")
    sensitive = serializers.BooleanField()
    legal_basis = serializers.CharField()
    data_categories = serializers.ListField(child=serializers.CharField(), help_text="Data category codes it uses.")
    state = serializers.ChoiceField(choices=STATES, help_text=STATE_HELP)
    changed_at = serializers.DateTimeField(allow_null=True)
    policy_version = serializers.CharField(allow_null=True, help_text="The policy version the choice was made under.")
    channel = serializers.CharField(allow_null=True)
    by_guardian = serializers.BooleanField()
    changed_in = serializers.CharField(
        allow_null=True, help_text="When not null, the API section (e.g. location) where this purpose is changed."
    )
    partners = PartnerState(many=True)


class ConsentOverview(serializers.Serializer):
    policy_version = serializers.CharField(allow_null=True, help_text="The policy version in effect.")
    purposes = PurposeState(many=True)


class ConsentChange(serializers.Serializer):
    purpose = serializers.SlugField(help_text="A purpose code, e.g. surveys.")
    partner = serializers.SlugField(
        required=False, allow_null=True, help_text="A partner code, to change sharing with that partner only."
    )


class ConsentChangeResult(serializers.Serializer):
    purpose = serializers.CharField()
    partner = serializers.CharField(allow_null=True)
    state = serializers.ChoiceField(choices=STATES)
    changed_at = serializers.DateTimeField()
    policy_version = serializers.CharField(allow_null=True)


class ConsentHistoryEvent(serializers.Serializer):
    time = serializers.DateTimeField(source="created_at")
    purpose = serializers.CharField(source="purpose.code")
    purpose_name = serializers.CharField(source="purpose.name")
    partner = serializers.CharField(source="partner.code", allow_null=True, default=None)
    action = serializers.CharField()
    channel = serializers.CharField()
    actor = serializers.SerializerMethodField(help_text="self, guardian, staff or other.")
    policy_version = serializers.CharField(source="policy_version.version", allow_null=True, default=None)

    def get_actor(self, event: ConsentEvent) -> str:
        if event.channel == ConsentChannel.STAFF:
            return "staff"
        if event.actor_id == event.subject_id:
            return "self"
        if event.channel == ConsentChannel.GUARDIAN:
            return "guardian"
        return "other"


def _version(consent) -> str | None:
    return consent.policy_version.version if consent and consent.policy_version else None


def _overview(subject) -> dict:
    policy = policy_current()
    purposes = []
    for row in dashboard_rows(subject=subject):
        consent = row.consent
        purposes.append(
            {
                "code": row.purpose.code,
                "name": row.purpose.name,
                "description": row.purpose.description,
                "kind": row.purpose.kind,
                "sensitive": row.purpose.sensitive,
                "legal_basis": row.purpose.legal_basis,
                "data_categories": [category.code for category in row.categories],
                "state": row.state,
                "changed_at": consent.updated_at if consent else None,
                "policy_version": _version(consent),
                "channel": consent.channel if consent else None,
                "by_guardian": bool(consent and consent.by_guardian),
                "changed_in": None if row.is_basic or row.decided_here else row.panel,
                "partners": [
                    {
                        "code": p.partner.code,
                        "name": p.partner.name,
                        "data_categories": [category.code for category in p.categories],
                        "agreement_reference": p.partner.agreement_reference,
                        "agreement_expires_on": p.partner.agreement_expires_on,
                        "agreement_in_force": p.in_force,
                        "state": State.BASIC if row.is_basic else p.state,
                        "changed_at": p.consent.updated_at if p.consent else None,
                        "policy_version": _version(p.consent),
                    }
                    for p in row.partners
                ],
            }
        )
    return {"policy_version": policy.version if policy else None, "purposes": purposes}


class ConsentList(APIView):
    """What the signed-in person has chosen, per purpose and partner."""

    @extend_schema(responses={200: ConsentOverview})
    def get(self, request):
        return Response(ConsentOverview(_overview(request.user)).data)


CHANGE_RESPONSES = {
    200: ConsentChangeResult,
    404: OpenApiResponse(description="No purpose or partner with that code (field errors)."),
    409: OpenApiResponse(
        description="A change the rules do not allow: a basic purpose, one changed in its own section, a partner "
        "that does not receive data for the purpose (field errors)."
    ),
    403: OpenApiResponse(
        description="A step-up check is needed first (code step_up_required, with step_up_url), "
        "or, for a grant, the person is a minor whose guardian decides (code guardian_decides)."
    ),
}


class _ConsentChangeView(APIView):
    change_action = ""

    def _target(self, request) -> tuple[Purpose, Partner | None]:
        change = ConsentChange(data=request.data)
        change.is_valid(raise_exception=True)
        data = change.validated_data
        purpose = Purpose.objects.filter(code=data["purpose"], active=True).first()
        if purpose is None:
            raise UnknownReference({"purpose": [_("Unknown purpose: %(code)s.") % {"code": data["purpose"]}]})
        partner = None
        if data.get("partner"):
            partner = Partner.objects.filter(code=data["partner"]).first()
            if partner is None:
                raise UnknownReference({"partner": [_("Unknown partner: %(code)s.") % {"code": data["partner"]}]})
            if not partner.purposes.filter(pk=purpose.pk).exists():
                raise Conflict({"partner": [_("This partner does not receive data for this purpose.")]})
        if purpose.is_basic:
            raise Conflict({"purpose": [_("This use is needed to provide the service; there is nothing to choose.")]})
        if not purpose_decided_here(purpose):
            section = PANEL_FOR_PURPOSE[purpose.code]
            raise Conflict(
                {
                    "purpose": [
                        _(
                            "This purpose and its sharing are changed in their own section: "
                            "use /api/v1/consents/%(section)s/."
                        )
                        % {"section": section}
                    ]
                }
            )
        return purpose, partner

    def _result(self, event, purpose, partner) -> Response:
        state = State.WITHDRAWN if self.change_action == "withdraw" else State.GRANTED
        return Response(
            ConsentChangeResult(
                {
                    "purpose": purpose.code,
                    "partner": getattr(partner, "code", None),
                    "state": state,
                    "changed_at": event.created_at,
                    "policy_version": event.policy_version.version if event.policy_version else None,
                }
            ).data
        )


class ConsentGrant(_ConsentChangeView):
    """Give consent to a purpose, or to sharing with one of its partners.

    A sensitive purpose, or any partner sharing, needs a step-up check
    passed in this session within the last 10 minutes.
    """

    change_action = "grant"

    @extend_schema(request=ConsentChange, responses=CHANGE_RESPONSES)
    def post(self, request):
        purpose, partner = self._target(request)
        if request.user.is_minor:
            # A child may withdraw for themself; giving consent is their guardian's.
            raise PermissionDenied(
                {
                    "detail": _("For a child under 14, a guardian makes this choice from their own account."),
                    "code": "guardian_decides",
                }
            )
        if purpose.sensitive or partner is not None:
            # Raises a 403 naming the step-up page when the check is missing.
            RecentVerificationPermission().has_permission(request, self)
        try:
            event = consent_grant(
                subject=request.user, purpose=purpose, partner=partner, channel=ConsentChannel.API, actor=request.user
            )
        except ConsentError as error:
            raise Conflict({"partner" if partner else "purpose": [str(error)]}) from None
        return self._result(event, purpose, partner)


class ConsentWithdraw(_ConsentChangeView):
    """Withdraw consent to a purpose (and so its partner sharing), or sharing with one partner.

    Never needs a step-up check: withdrawing must be as easy as giving.
    """

    change_action = "withdraw"

    @extend_schema(request=ConsentChange, responses=CHANGE_RESPONSES)
    def post(self, request):
        purpose, partner = self._target(request)
        try:
            event = consent_withdraw(
                subject=request.user, purpose=purpose, partner=partner, channel=ConsentChannel.API, actor=request.user
            )
        except ConsentError as error:
            raise Conflict({"partner" if partner else "purpose": [str(error)]}) from None
        return self._result(event, purpose, partner)


class HistoryPagination(PageNumberPagination):
    page_size = 20


class ConsentHistory(generics.ListAPIView):
    """The signed-in person's consent events, newest first, 20 a page."""

    serializer_class = ConsentHistoryEvent
    pagination_class = HistoryPagination

    def get_queryset(self):
        return consent_history_for(subject=self.request.user)


class ConsentReceipt(APIView):
    """The person's consent receipt (after the Kantara consent receipt specification), as JSON."""

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="A Kantara-style consent receipt.")}
    )
    def get(self, request):
        response = Response(consent_receipt(subject=request.user, request=request))
        response.personal_data = True
        return response
