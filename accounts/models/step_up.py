from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StepUpCheck(models.Model):
    """A fresh one-time-code check, passed just before a sensitive action.

    Rights requests record the check they relied on, so an auditor can see
    that the person proved it was them, how, and when.
    """

    class Method(models.TextChoices):
        TOTP = "totp", _("Authenticator app")
        EMAIL = "email", _("Code by email")
        RECOVERY = "recovery", _("Recovery code")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="step_up_checks"
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    session_key_hash = models.CharField(max_length=64, editable=False)
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-verified_at", "-id"]
        verbose_name = _("step-up check")
        verbose_name_plural = _("step-up checks")

    def __str__(self):
        return f"step-up check #{self.pk}"
