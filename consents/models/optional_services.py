from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField

from .taxonomy import BilingualMixin


class OptionalService(BilingualMixin, models.Model):
    """A service beyond the basic one (provident fund, social security, …).

    It declares the data it needs (``required_fields``, field names with
    labels) and rests on one optional purpose: enrolling grants consent to
    exactly that purpose; leaving withdraws it.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    purpose = models.OneToOneField(
        "consents.Purpose", verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="optional_service"
    )
    required_fields = models.JSONField(
        _("data asked for"),
        default=list,
        help_text=_('A list of {"name": …, "label_zh": …, "label_en": …} the service asks for when enrolling.'),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("optional service")
        verbose_name_plural = _("optional services")

    def __str__(self):
        return self.code

    @property
    def name(self) -> str:
        return self._localised("name")


class ServiceEnrolment(models.Model):
    """A person's enrolment in an optional service, with the data it asked for."""

    class State(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        LEFT = "left", _("Left")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="enrolments"
    )
    service = models.ForeignKey(OptionalService, verbose_name=_("service"), on_delete=models.PROTECT)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ENROLLED)
    # The answers to the service's required fields, as JSON, encrypted.
    data = EncryptedTextField(_("data given"), blank=True, default="")
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    # When the retention sweep deletes the service's data after leaving.
    data_delete_after = models.DateTimeField(_("data deleted after"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "service"], condition=models.Q(state="enrolled"), name="enrolment_one_open"
            ),
        ]
        verbose_name = _("service enrolment")
        verbose_name_plural = _("service enrolments")

    def __str__(self):
        return f"enrolment #{self.pk}"
