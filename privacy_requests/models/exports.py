from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFile(models.Model):
    """The ZIP built for an access or export request, kept 7 days after the link is issued."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready to download")
        EXPIRED = "expired", _("Expired and deleted")
        FAILED = "failed", _("Failed")

    request = models.OneToOneField("privacy_requests.PrivacyRequest", on_delete=models.CASCADE, related_name="export")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # A path under the portal's own storage (never a third-party store).
    file_name = models.CharField(_("file"), max_length=255, blank=True, default="")
    size_bytes = models.PositiveBigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ready_at = models.DateTimeField(_("link issued"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)
    downloaded_at = models.DateTimeField(_("last downloaded"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("build attempts"), default=0)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")

    def __str__(self):
        return f"export #{self.pk}"
