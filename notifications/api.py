"""The citizen's inbox over the API."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from . import services
from .models import InboxMessage
from .selectors import access_inbox_message, inbox_for


class InboxMessageSerializer(serializers.ModelSerializer):
    unread = serializers.BooleanField(source="is_unread", read_only=True)
    # In the language of the request (Accept-Language, or the person's saved one), as on the inbox page.
    subject = serializers.CharField(source="shown_subject", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)

    class Meta:
        model = InboxMessage
        fields = ["id", "kind", "subject", "body", "created_at", "read_at", "unread"]
        read_only_fields = fields


class InboxList(generics.ListAPIView):
    """The signed-in person's messages, newest first."""

    serializer_class = InboxMessageSerializer

    def get_queryset(self):
        return inbox_for(user=self.request.user)


@extend_schema(request=None, responses={200: InboxMessageSerializer})
@api_view(["POST"])
def inbox_message_read(request, message_id: int):
    """Mark one of the signed-in person's messages as read."""
    message = access_inbox_message(user=request.user, message_id=message_id)
    services.inbox_mark_read(message=message)
    return Response(InboxMessageSerializer(message).data, status=status.HTTP_200_OK)
