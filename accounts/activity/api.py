"""The signed-in person's sessions and sign-in records over the API."""

from allauth.account.adapter import get_adapter as get_account_adapter
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import LoginActivity

from . import selectors, services


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    last_seen_at = serializers.DateTimeField(read_only=True)
    ip = serializers.CharField(read_only=True, help_text="The network (IPv4 /24, IPv6 /48), never the full address.")
    user_agent = serializers.CharField(read_only=True)
    current = serializers.BooleanField(read_only=True, help_text="Whether this request came from this session.")


class LoginActivitySerializer(serializers.ModelSerializer):
    ip = serializers.CharField(source="ip_prefix", read_only=True, help_text="The network, never the full address.")
    method_label = serializers.SerializerMethodField()

    class Meta:
        model = LoginActivity
        fields = ["id", "created_at", "ip", "user_agent", "method", "method_label"]
        read_only_fields = fields

    def get_method_label(self, obj: LoginActivity) -> str:
        return selectors.login_method_label(obj.method)


def _current_session_key(request) -> str | None:
    # Only a browser's session has a key; a token client's request has none.
    session = getattr(request._request, "session", None)
    return session.session_key if session is not None else None


class SessionList(generics.ListAPIView):
    """The signed-in person's open sessions, the current one first."""

    serializer_class = SessionSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.sessions_for(user=self.request.user, current_session_key=_current_session_key(self.request))


class SessionDetail(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request, session_id: int):
        """Sign out one of the person's sessions. Another person's session id: 404."""
        session = selectors.access_user_session(user=request.user, session_id=session_id)
        is_current = session.session_key == _current_session_key(request)
        services.user_session_end(user=request.user, session=session)
        if is_current:
            get_account_adapter(request._request).logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginActivityList(generics.ListAPIView):
    """The signed-in person's sign-ins, newest first, a page at a time."""

    serializer_class = LoginActivitySerializer

    def get_queryset(self):
        return selectors.login_activity_for(user=self.request.user)
