from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import receivers  # noqa: F401
        from .activity import receivers as activity_receivers  # noqa: F401
        from .service_clients import receivers as service_client_receivers  # noqa: F401
        from .service_clients import schema as service_client_schema  # noqa: F401
        from .staff import receivers as staff_receivers  # noqa: F401
