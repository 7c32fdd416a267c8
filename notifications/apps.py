from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # What the apps above contribute: the kinds they send and the fan-out topics they start.
        from .kinds import notification_kinds
        from .topics import fan_out_topics

        notification_kinds.autodiscover()
        fan_out_topics.autodiscover()
