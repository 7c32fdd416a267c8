"""The portal's URLs plus one bare DRF view, for the ``http`` benchmark's floor (see bench/settings.py).

The bare view has no authentication, permission or throttle and answers a
small JSON document: what a request costs in this stack (gunicorn, every
middleware, DRF's dispatch and renderer) before any work of the portal's own.
"""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from privacy_portal.urls import handler400, handler403, handler404, handler500
from privacy_portal.urls import urlpatterns as portal_urlpatterns

BARE_PATH = "bench/bare/"


class BareView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get(self, request):
        return Response({"ok": True})


# Ahead of the portal's own, so that nothing of theirs (a catch-all) can answer for it.
urlpatterns = [path(BARE_PATH, BareView.as_view(), name="bench-bare"), *portal_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
