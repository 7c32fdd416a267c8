"""What data, for which purposes, shared with whom."""

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class BilingualMixin:
    """Pick the zh-hans or English text of a field pair by the active language."""

    def _localised(self, field: str) -> str:
        english = translation.get_language() == "en"
        return getattr(self, f"{field}_en" if english else f"{field}_zh") or getattr(self, f"{field}_zh")


class DataCategory(BilingualMixin, models.Model):
    """A kind of personal data (contact details, ID number, location, …)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Sensitive personal information needs separate consent.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")

    def __str__(self):
        return self.code

    @property
    def name(self) -> str:
        return self._localised("name")


class PurposeKind(models.TextChoices):
    BASIC = "basic", _("Basic (needed for the service)")
    OPTIONAL = "optional", _("Optional")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent")
    STATUTORY_DUTY = "statutory_duty", _("Statutory duty")
    CONTRACT = "contract", _("Contract")


class Purpose(BilingualMixin, models.Model):
    """A use of personal data the policy names.

    ``version`` goes up whenever the purpose is widened to new data
    categories or partners; a consent given to an older version does not
    cover the wider one.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.TextField(_("description (Chinese)"))
    description_en = models.TextField(_("description (English)"))
    kind = models.CharField(_("kind"), max_length=10, choices=PurposeKind.choices)
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Needs separate, explicit consent and a fresh identity check.")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    data_categories = models.ManyToManyField(DataCategory, verbose_name=_("data categories"), related_name="purposes")
    version = models.PositiveIntegerField(_("version"), default=1)
    active = models.BooleanField(_("active"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        permissions = [("check_consent", _("Can ask the consent check for any person (platform services)"))]

    def __str__(self):
        return self.code

    @property
    def name(self) -> str:
        return self._localised("name")

    @property
    def description(self) -> str:
        return self._localised("description")

    @property
    def is_basic(self) -> bool:
        return self.kind == PurposeKind.BASIC


class PartnerKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    FACE_RECOGNITION = "face_recognition", _("Face-recognition provider")
    OTHER = "other", _("Other partner")


class Partner(BilingualMixin, models.Model):
    """An organisation that may receive personal data under an agreement."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    agreement_reference = models.CharField(_("agreement reference"), max_length=100)
    agreement_expires_on = models.DateField(_("agreement expires on"))
    purposes = models.ManyToManyField(Purpose, verbose_name=_("purposes"), related_name="partners")
    data_categories = models.ManyToManyField(
        DataCategory, verbose_name=_("data categories received"), related_name="partners"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.code

    @property
    def name(self) -> str:
        return self._localised("name")

    def agreement_in_force(self, on=None) -> bool:
        return (on or timezone.localdate()) <= self.agreement_expires_on
