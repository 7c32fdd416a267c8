"""The consent check for platform services, one person or many at a time.

Both answer from the same rules (``selectors.consent_check_many``) in one
query: purposes and partners come from the process's catalogue
(``consents.table_caches``), and the people with their consents and what the
ledger says of them from one statement, however many people are asked.
"""

import json
import re

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.service_clients.permissions import HasServiceScope
from accounts.service_clients.scopes import CONSENT_CHECK
from accounts.service_clients.throttling import ServiceClientRateThrottle

from .selectors import UNKNOWN_SUBJECT, consent_check_many
from .service_usage.counting import service_checks_note
from .table_caches import partner_cached, purpose_cached

# A batch is answered in one query and a few milliseconds; a bigger one would hold a worker too long.
BATCH_MAX = 1000

REASONS_HELP = (
    "Why: granted; legal_basis_contract or legal_basis_statutory_duty (a basic purpose needs no consent); "
    "purpose_inactive; partner_not_for_purpose; partner_agreement_expired; not_granted; withdrawn; "
    "consent_predates_change (the purpose was widened since); guardian_consent_required (a minor's own "
    "consent); not_backed_by_ledger (the stored consent disagrees with the consent ledger); the last five "
    "prefixed partner_ when it is the consent to share with the partner that is missing."
)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: not "12", 12.0 or true, which DRF's field would take for 12 or refuse late."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class _CatalogueCodes(serializers.Serializer):
    # A purpose code and an optional partner code, turned into the catalogue's rows (no query when warm).

    purpose = serializers.SlugField(help_text="A purpose code, e.g. recommendations.")
    partner = serializers.SlugField(
        required=False, help_text="A partner code, when the data is to be shared with that partner."
    )

    def validate_purpose(self, code):
        purpose = purpose_cached(code)
        if purpose is None:
            raise serializers.ValidationError(_("Unknown purpose: %(code)s.") % {"code": code})
        return purpose

    def validate_partner(self, code):
        partner = partner_cached(code)
        if partner is None:
            raise serializers.ValidationError(_("Unknown partner: %(code)s.") % {"code": code})
        return partner


class ConsentCheckQuery(_CatalogueCodes):
    """Whom to ask about, for which purpose (and partner)."""

    subject = serializers.IntegerField(min_value=1, help_text="The person's platform user id.")


class ConsentCheckAnswer(serializers.Serializer):
    allowed = serializers.BooleanField()
    reason = serializers.CharField(help_text=REASONS_HELP)
    policy_version = serializers.CharField(
        allow_null=True, help_text="The policy version the deciding consent was given under; null without one."
    )
    purpose = serializers.CharField()
    partner = serializers.CharField(allow_null=True)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "minItems": 1,
        "maxItems": BATCH_MAX,
        "uniqueItems": True,
        "description": "Platform user ids, each at most once; up to 1,000.",
    }
)
class SubjectIdsField(serializers.ListField):
    """Up to ``BATCH_MAX`` positive user ids (the schema also says: at least one, each once)."""

    child = StrictIntegerField(min_value=1)

    def __init__(self, **kwargs):
        super().__init__(allow_empty=False, max_length=BATCH_MAX, **kwargs)

    def to_internal_value(self, data):
        # Validating id by id through the child field costs about as much as answering the batch;
        # a list of plain positive integers passes in one sweep, anything else takes the long way
        # for its messages (which item, and why).
        if isinstance(data, list) and data and all(type(pk) is int and pk >= 1 for pk in data):
            return data
        return super().to_internal_value(data)


class ConsentCheckBatch(_CatalogueCodes):
    """Which people to ask about, for one purpose (and partner)."""

    closed = True  # any other field is refused (see validate), and the schema says so

    subjects = SubjectIdsField()

    def validate_subjects(self, ids):
        seen, repeated = set(), []
        for pk in ids:
            if pk in seen and pk not in repeated:
                repeated.append(pk)
            seen.add(pk)
        if repeated:
            raise serializers.ValidationError(
                _("Each subject may be asked about only once; repeated: %(ids)s.")
                % {"ids": ", ".join(str(pk) for pk in repeated[:10])}
            )
        return ids

    def validate(self, attrs):
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("This field is not accepted here.")] for name in unknown})
        return attrs


class ConsentCheckBatchItem(serializers.Serializer):
    subject = serializers.IntegerField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField(help_text=f"{REASONS_HELP} unknown_subject: no active account has this id.")
    policy_version = serializers.CharField(allow_null=True)


class ConsentCheckBatchAnswer(serializers.Serializer):
    results = ConsentCheckBatchItem(many=True, help_text="One answer per subject, in the order asked.")
    purpose = serializers.CharField()
    partner = serializers.CharField(allow_null=True)


_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SUBJECT_DIGITS = 18  # an id of up to 18 digits: int() of it is cheap and the serializer would take it too


def _plain_query(params) -> tuple | None:
    """``(subject, purpose, partner)`` when the query is plainly well formed and names known codes, else None.

    Building and running ``ConsentCheckQuery`` (its fields deep-copied, lazy
    messages and all) costs as much CPU as the rest of the check; nearly every
    call is a plain one that the serializer would accept with these same
    values. Anything else (missing, blank, padded or unknown values) returns
    None and goes through the serializer, which says what is wrong.
    """
    subject, code, partner_code = params.get("subject"), params.get("purpose"), params.get("partner")
    if not (
        isinstance(subject, str)
        and 0 < len(subject) <= _SUBJECT_DIGITS
        and subject.isascii()
        and subject.isdigit()
        and isinstance(code, str)
        and _SLUG.fullmatch(code)
        and (partner_code is None or (isinstance(partner_code, str) and _SLUG.fullmatch(partner_code)))
    ):
        return None
    subject_id = int(subject)
    purpose = purpose_cached(code)
    partner = None if partner_code is None else partner_cached(partner_code)
    if subject_id < 1 or purpose is None or (partner_code is not None and partner is None):
        return None
    return subject_id, purpose, partner


_JSON_RENDERER = JSONRenderer()
_JSON_ACCEPTED = frozenset({"*/*", "application/json", "application/*"})


def _compact_json(value) -> bytes:
    # As DRF's JSONRenderer writes it (COMPACT_JSON, UNICODE_JSON): no spaces, UTF-8.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class ConsentCheckView(APIView):
    """May this person's data be used for a purpose (and shared with a partner) now?"""

    permission_classes = [HasServiceScope(CONSENT_CHECK)]
    throttle_classes = [ServiceClientRateThrottle]
    throttle_scope = "consent_check"

    @extend_schema(
        parameters=[ConsentCheckQuery],
        responses={
            200: ConsentCheckAnswer,
            400: OpenApiResponse(description="A parameter is missing or malformed, or names an unknown code."),
            404: OpenApiResponse(description="No such person (or the account is closed)."),
        },
        examples=[
            OpenApiExample(
                "Granted",
                response_only=True,
                value={
                    "allowed": True,
                    "reason": "granted",
                    "policy_version": "2026.1",
                    "purpose": "recommendations",
                    "partner": None,
                },
            ),
            OpenApiExample(
                "Sharing not agreed",
                response_only=True,
                value={
                    "allowed": False,
                    "reason": "partner_not_granted",
                    "policy_version": None,
                    "purpose": "face_verification",
                    "partner": "face_provider",
                },
            ),
        ],
    )
    def get(self, request):
        known = _plain_query(request.query_params)
        if known is None:
            query = ConsentCheckQuery(data=request.query_params)
            query.is_valid(raise_exception=True)
            data = query.validated_data
            known = data["subject"], data["purpose"], data.get("partner")
        subject, purpose, partner = known
        decision = consent_check_many(subject_ids=[subject], purpose=purpose, partner=partner)[subject]
        if decision is UNKNOWN_SUBJECT:
            raise NotFound(_("No such person."))
        service_checks_note(client_id=request.auth.service_client_id, subject_ids=(subject,), purpose_id=purpose.pk)
        # Five plain values: written as JSON directly, the bytes DRF's JSONRenderer would write, without
        # the template-response machinery a DRF Response renders through (errors still go through DRF).
        answer = {
            "allowed": decision.allowed,
            "reason": decision.reason,
            "policy_version": decision.policy_version,
            "purpose": purpose.code,
            "partner": getattr(partner, "code", None),
        }
        return HttpResponse(_compact_json(answer), content_type="application/json")

    def perform_content_negotiation(self, request, force=False):
        # JSON is the API's only format: a call that accepts it, as nearly every client's does, needs no
        # negotiation; anything else (another type, ?format=) is negotiated by DRF, which refuses with 406.
        accept = request.META.get("HTTP_ACCEPT")
        if (not accept or accept in _JSON_ACCEPTED) and "format" not in request.query_params:
            return _JSON_RENDERER, _JSON_RENDERER.media_type
        return super().perform_content_negotiation(request, force)


class ConsentCheckBatchView(APIView):
    """The consent check for up to 1,000 people at once, with the single check's rules and reasons."""

    permission_classes = [HasServiceScope(CONSENT_CHECK)]
    throttle_classes = [ServiceClientRateThrottle]
    throttle_scope = "consent_check_batch"

    @extend_schema(
        request=ConsentCheckBatch,
        responses={
            200: ConsentCheckBatchAnswer,
            400: OpenApiResponse(
                description=(
                    "The body is not valid JSON, or a field is refused: an unknown purpose or partner, no "
                    "subjects, more than 1,000, a repeated id or one that is not a positive integer."
                )
            ),
        },
        examples=[
            OpenApiExample(
                "Three people, one unknown",
                request_only=True,
                value={"purpose": "surveys", "partner": "survey_partner", "subjects": [1042, 1043, 999999]},
            ),
            OpenApiExample(
                "Answers in the order asked",
                response_only=True,
                value={
                    "results": [
                        {"subject": 1042, "allowed": True, "reason": "granted", "policy_version": "2026.1"},
                        {"subject": 1043, "allowed": False, "reason": "partner_withdrawn", "policy_version": None},
                        {"subject": 999999, "allowed": False, "reason": "unknown_subject", "policy_version": None},
                    ],
                    "purpose": "surveys",
                    "partner": "survey_partner",
                },
            ),
        ],
    )
    def post(self, request):
        body = ConsentCheckBatch(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        purpose, partner = data["purpose"], data.get("partner")
        decisions = consent_check_many(subject_ids=data["subjects"], purpose=purpose, partner=partner)
        service_checks_note(
            client_id=request.auth.service_client_id,
            subject_ids=[subject for subject, decision in decisions.items() if decision is not UNKNOWN_SUBJECT],
            purpose_id=purpose.pk,
        )
        return Response(
            {
                "results": [
                    {
                        "subject": subject,
                        "allowed": decision.allowed,
                        "reason": decision.reason,
                        "policy_version": decision.policy_version,
                    }
                    for subject, decision in decisions.items()
                ],
                "purpose": purpose.code,
                "partner": getattr(partner, "code", None),
            }
        )
