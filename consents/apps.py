from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")

    def ready(self):
        from . import table_caches  # noqa: F401 -- connects the signals that invalidate the process copies
        from .withdrawal_hooks import WITHDRAWAL_HOOKS

        WITHDRAWAL_HOOKS.autodiscover()
