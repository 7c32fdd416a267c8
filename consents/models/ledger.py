"""The consent ledger: append-only events, and the current state beside them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentAction(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RECONFIRMED = "reconfirmed", _("Re-confirmed")


class ConsentChannel(models.TextChoices):
    WEB = "web", _("Portal")
    API = "api", _("API")
    STAFF = "staff", _("Staff on the person's behalf")
    GUARDIAN = "guardian", _("Guardian on the minor's behalf")
    COOKIE_BANNER = "cookie_banner", _("Cookie banner")


class LedgerAppendOnlyError(Exception):
    pass


class ConsentEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The one change allowed: forgetting who the subject was (retention
        # anonymises), which leaves every hash intact.
        if set(kwargs) == {"subject"} and kwargs["subject"] is None:
            return super().update(**kwargs)
        raise LedgerAppendOnlyError("consent events cannot be changed")

    def delete(self):
        raise LedgerAppendOnlyError("consent events cannot be deleted")


class ConsentSubject(models.Model):
    """The head of one person's chain of consent events.

    Events are chained by ``ref``, a random id, not by the user id, so that
    anonymising the person later (dropping ``user``) keeps the chain
    verifiable. Locking this row serialises one person's consent changes.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_subject",
    )
    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("consent subject")
        verbose_name_plural = _("consent subjects")

    def __str__(self):
        return f"consent subject {self.ref}"


class ConsentEvent(models.Model):
    """A consent given, withdrawn or re-confirmed. Never changed afterwards."""

    subject_ref = models.UUIDField(_("subject reference"), editable=False)
    seq = models.PositiveIntegerField(_("sequence"), editable=False)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_events",
    )
    purpose = models.ForeignKey("consents.Purpose", verbose_name=_("purpose"), on_delete=models.PROTECT)
    purpose_version = models.PositiveIntegerField(_("purpose version"))
    partner = models.ForeignKey(
        "consents.Partner", verbose_name=_("partner"), null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(_("action"), max_length=12, choices=ConsentAction.choices)
    policy_version = models.ForeignKey(
        "consents.PolicyVersion", verbose_name=_("policy version"), null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField(_("channel"), max_length=15, choices=ConsentChannel.choices)
    # Who clicked: the person, their guardian, or a staff member. No cascade:
    # the ledger outlives accounts.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), editable=False, db_index=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    # Which AUDIT_CHAIN_KEY signed the hash (core.hash_chain.chain_key_id); empty
    # for events hashed with plain SHA-256 before the ledger was keyed.
    key_id = models.CharField(_("hash key"), max_length=16, blank=True, default="", editable=False)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-seq"]
        constraints = [models.UniqueConstraint(fields=["subject_ref", "seq"], name="consent_event_chain_position")]
        indexes = [models.Index(fields=["subject", "-created_at"], name="consent_event_subject_time")]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self):
        return f"consent event {self.subject_ref}#{self.seq}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerAppendOnlyError("consent events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerAppendOnlyError("consent events cannot be deleted")


class ConsentState(models.Model):
    """What a person has agreed to now, one row per purpose (and partner).

    Kept in the same transaction as the ledger, so answering "may we?" reads
    one row instead of replaying history.
    """

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consent_states"
    )
    purpose = models.ForeignKey("consents.Purpose", verbose_name=_("purpose"), on_delete=models.PROTECT)
    partner = models.ForeignKey(
        "consents.Partner", verbose_name=_("partner"), null=True, blank=True, on_delete=models.PROTECT
    )
    granted = models.BooleanField(_("granted"))
    purpose_version = models.PositiveIntegerField(_("purpose version"))
    policy_version = models.ForeignKey(
        "consents.PolicyVersion", verbose_name=_("policy version"), null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField(_("channel"), max_length=15, choices=ConsentChannel.choices)
    by_guardian = models.BooleanField(_("given by a guardian"), default=False)
    event = models.ForeignKey(ConsentEvent, verbose_name=_("last event"), on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "purpose"], condition=models.Q(partner__isnull=True), name="consent_state_purpose"
            ),
            models.UniqueConstraint(
                fields=["subject", "purpose", "partner"],
                condition=models.Q(partner__isnull=False),
                name="consent_state_purpose_partner",
            ),
        ]
        verbose_name = _("current consent")
        verbose_name_plural = _("current consents")

    def __str__(self):
        return f"consent state #{self.pk}"


class ConsentReport(ConsentState):
    """The consent report (figures and a CSV by subject id), as an entry of its own in admin.

    It stores nothing: a proxy gives the report its own permissions
    (``consents.view_consentreport`` for the figures, ``consents.export_consentreport``
    for the CSV), granted in ``accounts.staff.roles``, and its own line on the admin index.
    """

    class Meta:
        proxy = True
        default_permissions = ("view",)
        permissions = [("export_consentreport", "Can download current consent states by subject id")]
        verbose_name = _("consent report")
        verbose_name_plural = _("consent report")
