"""API-wide pieces: the error format and the version root."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.logging import security_log


def exception_handler(exc, context):
    """DRF's handler, plus a security log line for refused access.

    Every error body carries the request id so a citizen who calls the
    hotline can point support at the exact request.
    """
    if type(exc) is exceptions.ParseError:
        # Syntax errors get one plain message; a body refused for its size or depth says which.
        exc = exceptions.ParseError(_("The request body is not valid JSON."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context["request"]
    if response.status_code in (401, 403):
        security_log.warning(
            "api access denied: path=%s status=%s user_id=%s",
            request.path,
            response.status_code,
            getattr(request.user, "pk", None),
        )
    if isinstance(response.data, dict):
        response.data["request_id"] = getattr(request._request, "request_id", "")
    return response


@extend_schema(
    responses=inline_serializer("ApiRoot", fields={"version": serializers.CharField()}),
    description="The API version; open to anyone so clients can check they reach the portal.",
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    return Response({"version": "v1"})
