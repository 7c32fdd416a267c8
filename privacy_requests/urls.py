"""``/requests/…``: the citizen's rights requests (namespace ``privacy_requests``).

The export pages (``privacy_requests:export_progress``/``export_download``)
and the cancellation flow (``privacy_requests:cancellation:<name>``) live in
their own modules, included here.
"""

from django.urls import include, path

from . import views

app_name = "privacy_requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/<slug:kind>/", views.request_new, name="new"),
    path("new/deletion/account/", views.deletion_account, name="deletion_account"),
    path("complaint/", views.complaint, name="complaint"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("<int:request_id>/reply/", views.request_reply, name="reply"),
    path("<int:request_id>/withdraw/", views.request_withdraw, name="withdraw"),
    path("exports/", include("privacy_requests.exports.urls")),
    path("cancel/", include("privacy_requests.cancellation.urls")),
]
