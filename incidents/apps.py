from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Security incidents")

    def ready(self):
        from . import banner_table  # noqa: F401 -- connects the signal that reloads the banner in every process
