from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginActivity(models.Model):
    """A successful sign-in, as the citizen sees it in their activity list.

    The IP address is truncated (IPv4 to /24, IPv6 to /48) before it is
    stored: enough to recognise a network, not to single out a device.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="login_activity"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    ip_prefix = models.CharField(_("network"), max_length=64, blank=True, default="")
    user_agent = models.CharField(_("device"), max_length=255, blank=True, default="")
    method = models.CharField(_("sign-in method"), max_length=32, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="login_activity_user_time")]
        verbose_name = _("sign-in record")
        verbose_name_plural = _("sign-in records")

    def __str__(self):
        return f"sign-in of user #{self.user_id}"
