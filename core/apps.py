from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from .checks import TAG, check_chain_key, check_data_residency, check_file_storage

        checks.register(check_data_residency, TAG)
        checks.register(check_file_storage, TAG)
        checks.register(check_chain_key, checks.Tags.security, deploy=True)

        if settings.SENTRY_DSN:
            from .error_reporting import error_reporting_init

            error_reporting_init(
                dsn=settings.SENTRY_DSN, environment=settings.SENTRY_ENVIRONMENT, release=settings.SENTRY_RELEASE
            )
