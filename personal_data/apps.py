from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonalDataConfig(AppConfig):
    name = "personal_data"
    verbose_name = _("Personal data")

    def ready(self):
        from .registry import categories

        # Every app's personal_data.py registers its categories on import, as admin.py registers models.
        categories.autodiscover()
