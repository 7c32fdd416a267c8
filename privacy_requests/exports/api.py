"""Citizen API for exports: status (polled by the progress page) and the download."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from privacy_requests.models import ExportFile

from . import services
from .selectors import access_export_file, export_is_expired, export_status
from .views import export_file_response


class ExportQuotaThrottled(exceptions.Throttled):
    """429 with ``Retry-After``: the daily limit of access/export requests is reached."""

    def __init__(self, exc: services.ExportQuotaExceeded):
        super().__init__(wait=exc.retry_after_seconds, detail=exc.message)


def raise_for_export_quota(*, user) -> None:
    """For API views that create access/export requests: the quota check as a DRF 429."""
    try:
        services.export_quota_check(user=user)
    except services.ExportQuotaExceeded as exc:
        raise ExportQuotaThrottled(exc) from exc


class ExportStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    request = serializers.CharField(help_text="The request's reference.")
    # Plain text rather than a choice field: drf-spectacular would name a second "State" enum.
    state = serializers.CharField(help_text="queued, building, ready, expired or failed.")
    state_label = serializers.CharField()
    progress = serializers.IntegerField(help_text="Percent built.")
    ready = serializers.BooleanField()
    size_bytes = serializers.IntegerField()
    ready_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    downloaded_at = serializers.DateTimeField(allow_null=True)


class ExportStatusView(APIView):
    """The state and progress of one of your exports (404 for anyone else's)."""

    @extend_schema(responses=ExportStatusSerializer, operation_id="requests_export_status")
    def get(self, request, export_id: int):
        export = access_export_file(user=request.user, export_id=export_id)
        response = Response(ExportStatusSerializer(export_status(export=export)).data)
        response.personal_data = True
        return response


class ExportGone(exceptions.APIException):
    status_code = 410
    default_code = "export_expired"

    def __init__(self):
        super().__init__(detail=services.export_expired_message())


class ExportNotReady(exceptions.APIException):
    status_code = 409
    default_code = "export_not_ready"


class ExportDownloadView(APIView):
    """Download the ZIP of one of your exports while its link is valid (410 once expired)."""

    @extend_schema(
        operation_id="requests_export_download",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP file."),
            404: OpenApiResponse(description="Not your export, or no such export."),
            409: OpenApiResponse(description="Not built yet."),
            410: OpenApiResponse(description="The link expired and the file was deleted."),
        },
    )
    def get(self, request, export_id: int):
        export = access_export_file(user=request.user, export_id=export_id)
        if export_is_expired(export=export):
            services.export_expire(export=export)
            raise ExportGone
        if export.state != ExportFile.State.READY:
            raise ExportNotReady(detail=str(ExportFile.State(export.state).label))
        try:
            return export_file_response(export=export, user=request.user)
        except Http404:
            raise exceptions.NotFound from None
