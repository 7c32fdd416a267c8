from django.urls import path

from . import api

urlpatterns = [
    path("", api.InterestTagList.as_view(), name="api-consents-interests"),
    path("<int:tag_id>/", api.InterestTagDetail.as_view(), name="api-consents-interest"),
]
