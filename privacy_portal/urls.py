from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.email_verification import confirm_email_code
from accounts.phone_verification import verify_phone
from consents import api as consents_api
from consents import views as consents_views
from consents.personalisation import service_api as interest_signals_api
from notifications import api as notifications_api

from . import admin_status, api, help_pages, views
from .metrics.views import metrics

api_v1 = [
    # First: the services' consent checks are most of the API's calls, and each pattern tried costs a match.
    path("consent-check/", consents_api.ConsentCheckView.as_view(), name="api-consent-check"),
    path("consent-check/batch/", consents_api.ConsentCheckBatchView.as_view(), name="api-consent-check-batch"),
    path("", api.api_root, name="api-root"),
    path("inbox/", notifications_api.InboxList.as_view(), name="api-inbox"),
    path("inbox/<int:message_id>/read/", notifications_api.inbox_message_read, name="api-inbox-read"),
    path("me/", include("accounts.api_urls")),
    path("interest-signals/", interest_signals_api.InterestSignalsView.as_view(), name="api-interest-signals"),
    path("consents/", include("consents.api_urls")),
    path("requests/", include("privacy_requests.api_urls")),
    path("erasure-instructions/", include("privacy_requests.erasure_propagation.api_urls")),
]

urlpatterns = [
    # First, for the same reason: nothing else starts with api/v1/.
    path("api/v1/", include(api_v1)),
    path("", views.home, name="home"),
    path("policy/", consents_views.policy, name="policy"),
    path("policy/versions/", consents_views.policy_versions, name="policy_versions"),
    path("policy/<str:version>/", consents_views.policy_version, name="policy_version"),
    path("policy/<str:version>/changes/", consents_views.policy_changes, name="policy_changes"),
    path("help/faq/", help_pages.faq, name="help_faq"),
    path("help/contact/", help_pages.contact, name="help_contact"),
    path("help/accessibility/", help_pages.accessibility, name="help_accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    # Ahead of allauth's page of the same name: ours offers "use a different
    # address" after every sign-up, not only after one with a new address.
    path("accounts/confirm-email/", confirm_email_code, name="account_email_verification_sent"),
    # Likewise for the text-message code: a sign-up whose address was taken
    # gets a real code for its new number, as any other sign-up does.
    path("accounts/phone/verify/", verify_phone, name="account_verify_phone"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("privacy/", include("consents.urls")),
    path("requests/", include("privacy_requests.urls")),
    path("inbox/", include("notifications.urls")),
    # Ahead of the admin's own URLs, behind its sign-in and second factor.
    path("admin/status/", admin.site.admin_view(admin_status.status_page), name="admin-status"),
    path("admin/", admin.site.urls),
    # OAuth2 for services: the token (and revocation) endpoint only.
    path("o/", include("accounts.service_clients.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: anything else under /api/ is a JSON 404, with DEBUG on too (whose 404 page is HTML).
    re_path(r"^api/", views.api_not_found),
]

handler400 = "privacy_portal.views.bad_request"
handler403 = "privacy_portal.views.permission_denied"
handler404 = "privacy_portal.views.page_not_found"
handler500 = "privacy_portal.views.server_error"
