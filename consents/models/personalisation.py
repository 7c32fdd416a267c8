from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InterestTag(models.Model):
    """Something the portal believes a person is interested in, for recommendations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="interest_tags"
    )
    tag = models.CharField(_("interest"), max_length=50)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["user", "tag"], name="interest_tag_once")]
        verbose_name = _("interest tag")
        verbose_name_plural = _("interest tags")

    def __str__(self):
        return self.tag
