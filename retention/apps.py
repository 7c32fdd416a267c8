from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self):
        # Where data is kept (clause 6.1) sits beside how long it is kept
        # (6.2, this app); the checks live in privacy_portal, which has no
        # AppConfig of its own to register them.
        from privacy_portal.checks import TAG, check_data_residency, check_file_storage

        checks.register(check_data_residency, TAG)
        checks.register(check_file_storage, TAG)
