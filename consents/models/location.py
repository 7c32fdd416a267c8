from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField


class LocationRecord(models.Model):
    """A location a person shared while location sharing was on.

    Precise location is sensitive: the coordinates are encrypted at rest.
    The service layer refuses to store one while the switch is off.
    """

    class Source(models.TextChoices):
        DEVICE = "device", _("Device (GPS or Wi-Fi)")
        PROFILE = "profile", _("Profile")
        PHOTO = "photo", _("Photo")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="locations"
    )
    coordinates = EncryptedTextField(_("coordinates"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("location record")
        verbose_name_plural = _("location records")

    def __str__(self):
        return f"location record #{self.pk}"
