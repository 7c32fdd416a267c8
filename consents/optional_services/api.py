"""``/api/v1/consents/services/…``: optional services, the person's enrolments, enrolling and leaving."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.two_factor.decorators import RecentVerificationPermission
from consents.models import ConsentChannel
from consents.services import ConsentError

from . import selectors, services


class ServiceFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField(help_text=_("In the person's language."))
    max_length = serializers.IntegerField()


class DataCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EnrolmentSerializer(serializers.Serializer):
    # A plain string in the schema: "state" enums of other endpoints would collide with this one's name.
    state = serializers.CharField(help_text=_("enrolled or left."))
    enrolled_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(allow_null=True)
    data_delete_after = serializers.DateTimeField(
        allow_null=True, help_text=_("After leaving: when the data given to the service is deleted.")
    )


class OptionalServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    purpose = serializers.CharField(help_text=_("The purpose code enrolling consents to."))
    purpose_name = serializers.CharField()
    sensitive = serializers.BooleanField(help_text=_("Enrolling needs a recent step-up check."))
    data_categories = DataCategorySerializer(many=True)
    required_fields = ServiceFieldSerializer(many=True)
    enrolment = EnrolmentSerializer(allow_null=True, help_text=_("The person's latest enrolment, if any."))


class EnrolRequestSerializer(serializers.Serializer):
    data = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text=_("Exactly the service's required fields, by name."),
    )


def _enrolment(enrolment) -> dict | None:
    if enrolment is None:
        return None
    return {
        "state": enrolment.state,
        "enrolled_at": enrolment.enrolled_at,
        "left_at": enrolment.left_at,
        "data_delete_after": enrolment.data_delete_after,
    }


def _service_data(row: selectors.ServiceRow) -> dict:
    service = row.service
    return {
        "code": service.code,
        "name": service.name,
        "active": service.active,
        "purpose": service.purpose.code,
        "purpose_name": service.purpose.name,
        "sensitive": service.purpose.sensitive,
        "data_categories": [{"code": c.code, "name": c.name} for c in service.purpose.data_categories.all()],
        "required_fields": [{"name": f.name, "label": f.label, "max_length": f.max_length} for f in row.fields],
        "enrolment": _enrolment(row.enrolment),
    }


class ServiceListView(APIView):
    """The optional services on offer, and the signed-in person's enrolment in each."""

    pagination_class = None

    @extend_schema(responses={200: OptionalServiceSerializer(many=True)}, operation_id="consents_services_list")
    def get(self, request):
        rows = selectors.service_rows_for(subject=request.user)
        return Response(OptionalServiceSerializer([_service_data(row) for row in rows], many=True).data)


class ServiceEnrolView(APIView):
    @extend_schema(
        request=EnrolRequestSerializer,
        responses={
            201: EnrolmentSerializer,
            400: OpenApiResponse(description=_("Field errors under 'data', or the rules refuse; nothing was saved.")),
            403: OpenApiResponse(description=_("A sensitive service needs a recent step-up check.")),
            404: OpenApiResponse(description=_("No such service on offer.")),
        },
        operation_id="consents_services_enrol",
        description=_("Give consent to the service's purpose and the data it asks for, in one step."),
    )
    def post(self, request, code):
        service = selectors.access_optional_service(code=code)
        if service.purpose.sensitive:
            # Raises 403 with the step-up page's address when the check is missing.
            RecentVerificationPermission().has_permission(request, self)
        body = EnrolRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            enrolment = services.service_enrol(
                subject=request.user, service=service, data=body.validated_data["data"], channel=ConsentChannel.API
            )
        except DjangoValidationError as error:
            raise ValidationError({"data": error.message_dict}) from None
        except ConsentError as error:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(error)]}) from None
        return Response(EnrolmentSerializer(_enrolment(enrolment)).data, status=status.HTTP_201_CREATED)


class ServiceLeaveView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: EnrolmentSerializer,
            400: OpenApiResponse(description=_("Not enrolled in this service.")),
            404: OpenApiResponse(description=_("No such service.")),
        },
        operation_id="consents_services_leave",
        description=_("Withdraw consent at once; the data given is deleted after 30 days."),
    )
    def post(self, request, code):
        service = selectors.access_optional_service(code=code, include_inactive=True)
        try:
            enrolment = services.service_leave(subject=request.user, service=service, channel=ConsentChannel.API)
        except ConsentError as error:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(error)]}) from None
        return Response(EnrolmentSerializer(_enrolment(enrolment)).data)
