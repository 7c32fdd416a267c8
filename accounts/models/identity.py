"""Real-name identity: the profile, verification attempts, the sandbox registry."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField


class VerificationLevel(models.IntegerChoices):
    REGISTERED = 0, _("Registered")
    CONTACT_VERIFIED = 1, _("Contact verified")
    IDENTITY_VERIFIED = 2, _("Identity verified")
    # Reached by face verification, a bank-card check or in person at a counter.
    FACE_VERIFIED = 3, _("Verified in depth")


class IdentityProfile(models.Model):
    """Who the account holder is, as far as they told us and we verified.

    ID number, bank card, legal name and the legal representative's name are
    encrypted at rest. ``id_number_hash`` is a keyed hash that lets staff
    find a person by ID number without decrypting every row. Fields listed
    in ``verified_fields`` were confirmed by a provider and change only
    through a correction request.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="identity"
    )
    legal_name = EncryptedTextField(_("legal name"), blank=True, default="")
    id_number = EncryptedTextField(_("resident ID number"), blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    bank_card = EncryptedTextField(_("bank card number"), blank=True, default="")
    # Business (legal person) accounts.
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True, default="")
    uscc = models.CharField(_("Unified Social Credit Code"), max_length=18, blank=True, default="", db_index=True)
    legal_representative = EncryptedTextField(_("legal representative"), blank=True, default="")

    verification_level = models.PositiveSmallIntegerField(
        _("verification level"), choices=VerificationLevel.choices, default=VerificationLevel.REGISTERED
    )
    verified_fields = models.JSONField(_("verified fields"), default=list, blank=True)
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("identity profile")
        verbose_name_plural = _("identity profiles")
        permissions = [
            ("reveal_identityprofile", _("Can reveal a masked personal field, giving a reason")),
        ]

    def __str__(self):
        return f"identity profile of user #{self.user_id}"

    def is_verified_field(self, field: str) -> bool:
        return field in self.verified_fields


class IdentityVerificationAttempt(models.Model):
    """One answer from the real-name provider. Holds no name or ID number."""

    class Outcome(models.TextChoices):
        MATCH = "match", _("Match")
        MISMATCH = "mismatch", _("Name and ID number do not match")
        NOT_FOUND = "not_found", _("Not found")
        UNAVAILABLE = "unavailable", _("Provider unavailable")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="identity_verification_attempts",
    )
    provider = models.CharField(_("provider"), max_length=50)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reference = models.CharField(_("provider reference"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("identity verification attempt")
        verbose_name_plural = _("identity verification attempts")

    def __str__(self):
        return f"{self.provider}: {self.outcome}"


class SandboxIdentity(models.Model):
    """A test identity known to the sandbox real-name provider.

    Editable in admin so testers can add people; ``behaviour`` makes the
    sandbox answer "unavailable" for this person, to rehearse outages.
    """

    class Behaviour(models.TextChoices):
        NORMAL = "normal", _("Answer normally")
        UNAVAILABLE = "unavailable", _("Simulate provider unavailable")

    legal_name = models.CharField(_("legal name"), max_length=100)
    id_number = EncryptedTextField(_("resident ID number"))
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    behaviour = models.CharField(_("behaviour"), max_length=12, choices=Behaviour.choices, default=Behaviour.NORMAL)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("sandbox identity")
        verbose_name_plural = _("sandbox identities")

    def __str__(self):
        return f"sandbox identity #{self.pk}"
