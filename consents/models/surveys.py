"""Survey invitations, sent by staff to the people who consented to surveys."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SurveyInvitation(models.Model):
    """One invitation to take part in a survey, told to every consenting citizen through a fan-out."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    text_zh = models.TextField(_("invitation (Chinese)"))
    text_en = models.TextField(_("invitation (English)"))
    survey_url = models.URLField(_("survey address"), help_text=_("Where the survey is answered (https)."))
    fan_out = models.OneToOneField(
        "notifications.FanOut",
        verbose_name=_("sending"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who wrote and sent it is in the audit log (survey.invitation_saved / survey.invitation_sent).
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self):
        return self.title_en or self.title_zh

    @property
    def title(self) -> str:
        return self._localised("title")

    @property
    def text(self) -> str:
        return self._localised("text")

    def _localised(self, field: str) -> str:
        english = (translation.get_language() or "").startswith("en")
        return getattr(self, f"{field}_en" if english else f"{field}_zh") or getattr(self, f"{field}_zh")
