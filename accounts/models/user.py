from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField


class AccountKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    BUSINESS = "business", _("Legal person (business)")


class User(AbstractUser):
    """A citizen, a business account holder or a staff member.

    The mobile number is a sign-in identifier, so it lives here, encrypted,
    with a keyed hash (``phone_hash``) for finding the account by it. The
    rest of a person's identity lives in ``IdentityProfile``.
    """

    kind = models.CharField(
        _("account kind"), max_length=12, choices=AccountKind.choices, default=AccountKind.INDIVIDUAL
    )
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails and portal messages are written in this language."),
    )
    phone = EncryptedTextField(_("mobile number"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    # Reminders to finish confirming the address or verifying identity (issue #15);
    # turned off from the reminder's own link or the reminder settings page.
    reminders_enabled = models.BooleanField(
        _("reminders to finish signing up"),
        default=True,
        help_text=_("At most two reminders to finish confirming the email address or verifying identity."),
    )
    is_minor = models.BooleanField(
        _("minor under 14"),
        default=False,
        help_text=_("Set from the verified ID number; a guardian decides beyond the basic service."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"],
                condition=~models.Q(phone_hash=""),
                name="user_phone_unique",
            ),
        ]

    def __str__(self):
        return f"user #{self.pk}"
