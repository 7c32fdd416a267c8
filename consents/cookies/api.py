"""``/api/v1/consents/cookies/``: the signed-in person's cookie choice."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import CHOICES, cookie_choice_for


class CookieChoiceSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(
        choices=CHOICES, allow_null=True, help_text=_("accept, refuse, or null when not decided yet.")
    )
    analytics_allowed = serializers.BooleanField(
        help_text=_("Whether optional cookies may be used for this request (false while Sec-GPC: 1 is sent).")
    )
    global_privacy_control = serializers.BooleanField(help_text=_("The request carried Sec-GPC: 1."))
    changed_at = serializers.DateTimeField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    policy_version = serializers.CharField(allow_null=True)


class CookieChoiceView(APIView):
    """The person's choice about analytics and personalisation cookies, from the consent ledger."""

    @extend_schema(responses={200: CookieChoiceSerializer})
    def get(self, request):
        choice = cookie_choice_for(request=request)
        state = choice.state
        data = {
            "choice": choice.choice,
            "analytics_allowed": choice.analytics_allowed,
            "global_privacy_control": choice.gpc,
            "changed_at": state.updated_at if state else None,
            "channel": state.channel if state else None,
            "policy_version": state.policy_version.version if state and state.policy_version else None,
        }
        return Response(CookieChoiceSerializer(data).data)
