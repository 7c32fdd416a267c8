from django.apps import AppConfig
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
