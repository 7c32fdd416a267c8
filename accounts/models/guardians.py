from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GuardianLink(models.Model):
    """A guardian's authority over a minor's account (under 14).

    The guardian starts the link from their own identity-verified account;
    the minor's side confirms it with a code. Only a confirmed link lets the
    guardian give or withdraw consent on the minor's behalf.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REVOKED = "revoked", _("Ended")

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("guardian"), on_delete=models.CASCADE, related_name="wards"
    )
    minor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("minor"), on_delete=models.CASCADE, related_name="guardians"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    code_hash = models.CharField(max_length=128, blank=True, default="", editable=False)
    code_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "minor"],
                condition=models.Q(state__in=["pending", "confirmed"]),
                name="guardian_link_one_open",
            ),
        ]

    def __str__(self):
        return f"guardian link #{self.pk}"
