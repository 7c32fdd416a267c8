from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyRequestsConfig(AppConfig):
    name = "privacy_requests"
    verbose_name = _("Rights requests")

    def ready(self):
        # Notes at sign-in whether a cancellation is pending, so ordinary
        # pages need no query to find out.
        from .cancellation import receivers  # noqa: F401
        from .fulfilment import FULFILMENT_HANDLERS

        FULFILMENT_HANDLERS.autodiscover()
