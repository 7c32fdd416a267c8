"""``/api/v1/consents/location/``: devices send locations; the person reads or deletes theirs."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from consents.models import ConsentChannel, LocationRecord
from consents.services import ConsentError

from . import services
from .selectors import location_coordinates, location_records_for, location_status_for


class LocationInSerializer(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90, help_text=_("Degrees, -90 to 90."))
    longitude = serializers.FloatField(min_value=-180, max_value=180, help_text=_("Degrees, -180 to 180."))
    source = serializers.ChoiceField(
        choices=[LocationRecord.Source.DEVICE, LocationRecord.Source.PROFILE],
        default=LocationRecord.Source.DEVICE,
        help_text=_("device (GPS or Wi-Fi) or profile. Photos are uploaded on the portal's photo page."),
    )


class LocationOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6)
    source = serializers.ChoiceField(choices=LocationRecord.Source.choices)
    created_at = serializers.DateTimeField()


def _out(record: LocationRecord) -> dict:
    latitude, longitude = location_coordinates(record)
    return LocationOutSerializer(
        {
            "id": record.pk,
            "latitude": latitude,
            "longitude": longitude,
            "source": record.source,
            "created_at": record.created_at,
        }
    ).data


class LocationList(generics.GenericAPIView):
    """The signed-in person's stored locations. Storing one works only while location sharing is on."""

    serializer_class = LocationOutSerializer

    def get_queryset(self):
        return location_records_for(user=self.request.user)

    @extend_schema(responses={200: LocationOutSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_out(record) for record in page])

    @extend_schema(
        request=LocationInSerializer,
        responses={
            201: LocationOutSerializer,
            400: OpenApiResponse(description="Coordinates out of range or not numbers."),
            403: OpenApiResponse(description="Location sharing is off: nothing was stored."),
        },
    )
    def post(self, request):
        incoming = LocationInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            record = services.location_record(
                user=request.user, latitude=data["latitude"], longitude=data["longitude"], source=data["source"]
            )
        except services.LocationSharingOff as exc:
            raise exceptions.PermissionDenied({"detail": exc.message, "code": exc.code}) from None
        except services.LocationInvalid as exc:
            raise exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]}) from None
        return Response(_out(record), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("LocationHistoryDeleted", fields={"deleted": serializers.IntegerField()})},
    )
    def delete(self, request):
        """Delete the whole stored location history."""
        deleted = services.location_history_delete(user=request.user, actor=request.user)
        return Response({"deleted": deleted})


class LocationSharingSerializer(serializers.Serializer):
    sharing_on = serializers.BooleanField()
    reason = serializers.CharField(help_text=_("The consent check's reason code, e.g. granted or withdrawn."))
    records = serializers.IntegerField(help_text=_("How many locations are stored now."))


class LocationSharing(generics.GenericAPIView):
    """The location sharing switch. Turning it on needs the portal's confirmation screen (separate consent)."""

    serializer_class = LocationSharingSerializer

    @extend_schema(responses={200: LocationSharingSerializer})
    def get(self, request):
        status_now = location_status_for(user=request.user)
        return Response(
            LocationSharingSerializer(
                {"sharing_on": status_now.sharing_on, "reason": status_now.reason, "records": status_now.records}
            ).data
        )

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "history",
                enum=services.HistoryChoice.values,
                required=False,
                description="What happens to the stored location history: delete (the default) or keep "
                "(kept under the retention rule for locations, deletable at any time).",
            )
        ],
        responses={
            200: inline_serializer(
                "LocationSharingTurnedOff",
                fields={
                    "sharing_on": serializers.BooleanField(),
                    "deleted": serializers.IntegerField(),
                    "kept": serializers.IntegerField(),
                },
            ),
            400: OpenApiResponse(description="An unknown history choice."),
        },
    )
    def delete(self, request):
        """Turn location sharing off at once; the stored history is deleted unless ``history=keep``."""
        history = request.query_params.get("history", services.HistoryChoice.DELETE)
        if history not in services.HistoryChoice.values:
            raise exceptions.ValidationError({"history": [_("Choose keep or delete.")]})
        try:
            done = services.location_sharing_turn_off(
                subject=request.user, actor=request.user, channel=ConsentChannel.API, history=history
            )
        except ConsentError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from None
        return Response({"sharing_on": False, "deleted": done.deleted, "kept": done.kept})
