"""``/api/v1/consents/interests/``: the interest tags kept about the signed-in person."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from consents.models import InterestTag

from . import services
from .selectors import access_interest_tag, interest_tags_for


class InterestTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = InterestTag
        fields = ["id", "tag", "created_at"]
        read_only_fields = fields


class InterestTagList(generics.ListAPIView):
    """The interests kept about the person, for personalised recommendations. DELETE removes them all."""

    serializer_class = InterestTagSerializer

    def get_queryset(self):
        return interest_tags_for(user=self.request.user)

    @extend_schema(
        operation_id="consents_interests_delete_all",
        request=None,
        responses={200: inline_serializer("InterestTagsDeleted", fields={"deleted": serializers.IntegerField()})},
    )
    def delete(self, request):
        deleted = services.interest_tags_delete_all(user=request.user, actor=request.user)
        return Response({"deleted": deleted})


class InterestTagDetail(APIView):
    @extend_schema(operation_id="consents_interest_delete", request=None, responses={204: None})
    def delete(self, request, tag_id: int):
        """Delete one of the person's interests; another person's id is 404."""
        tag = access_interest_tag(user=request.user, tag_id=tag_id)
        services.interest_tag_delete(tag=tag, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
