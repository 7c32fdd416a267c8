"""``/api/v1/erasure-instructions/…``: for services holding the ``erasure`` scope."""

from django.urls import path

from . import api

urlpatterns = [
    path("", api.InstructionList.as_view(), name="api-erasure-instructions"),
    path(
        "<int:instruction_id>/acknowledge/",
        api.InstructionAcknowledge.as_view(),
        name="api-erasure-instruction-acknowledge",
    ),
]
