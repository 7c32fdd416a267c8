from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffEnrolment(models.Model):
    """A single-use link with which one staff member sets up their first admin second factor.

    A staff password alone must never lead to admin: without this link an
    account with no authenticator cannot add one by itself. Only the hash
    of the link's secret is kept; the link itself is emailed (or printed by
    ``manage.py staff_enrol`` on the server) once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # None when issued on the server with the management command.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    # A newer link, or a reset of the person's second factor, ends an unused one.
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("staff enrolment link")
        verbose_name_plural = _("staff enrolment links")
        permissions = [
            ("manage_staff_second_factor", _("Can issue enrolment links and reset staff second factors")),
        ]

    def __str__(self):
        return f"staff enrolment #{self.pk}"
