"""``/api/v1/consents/disclosures/``: who received the signed-in person's data, when and why."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from consents.models.disclosures import DisclosureBasis, DisclosureKind

from .selectors import disclosures_for


class DisclosureOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recipient = serializers.CharField(help_text="The partner's or authority's name, in the request's language.")
    recipient_partner = serializers.CharField(
        allow_null=True, help_text="The partner's code; null when the recipient is an authority."
    )
    kind = serializers.ChoiceField(choices=DisclosureKind.choices)
    legal_basis = serializers.ChoiceField(choices=DisclosureBasis.choices)
    legal_basis_label = serializers.CharField()
    purpose = serializers.CharField(allow_null=True, help_text="The purpose's code, if the disclosure served one.")
    data_categories = serializers.ListField(child=serializers.CharField(), help_text="Data category codes given.")
    disclosed_at = serializers.DateTimeField()


def _out(disclosure) -> dict:
    return {
        "id": disclosure.pk,
        "recipient": disclosure.recipient_name,
        "recipient_partner": disclosure.recipient_partner.code if disclosure.recipient_partner_id else None,
        "kind": disclosure.kind,
        "legal_basis": disclosure.legal_basis,
        "legal_basis_label": str(disclosure.get_legal_basis_display()),
        "purpose": disclosure.purpose.code if disclosure.purpose_id else None,
        "data_categories": [category.code for category in disclosure.data_categories.all()],
        "disclosed_at": disclosure.disclosed_at,
    }


class DisclosureList(generics.GenericAPIView):
    """Disclosures of the signed-in person's data, newest first (a deferred notice's only once released)."""

    serializer_class = DisclosureOutSerializer

    def get_queryset(self):
        return disclosures_for(user=self.request.user)

    @extend_schema(responses={200: DisclosureOutSerializer(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DisclosureOutSerializer([_out(item) for item in page], many=True).data)
