"""The append-only, hash-chained audit log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit events cannot be updated")

    def bulk_create(self, *args, **kwargs):
        # Rows must go through audit.services.record so the chain stays whole.
        raise AppendOnlyError("audit events are written one by one through audit.services.record")


class AuditEvent(models.Model):
    """One thing that happened, by whom, to what.

    ``details`` holds ids, field names and codes, never a personal value: the
    log outlives the data it talks about and is read by auditors.

    The log is several hash chains, one per partition (``audit.partitions``):
    ``seq`` counts the events of the row's partition, so ``(partition, seq)``
    names an event. Partition 0 is also the one chain written before the log
    was partitioned.
    """

    # The database default puts rows inserted without it (a process of the previous release
    # during a rolling upgrade, which locks the same head row) in the legacy partition, where they belong.
    partition = models.PositiveSmallIntegerField(_("partition"), default=0, db_default=0, editable=False)
    seq = models.PositiveBigIntegerField(_("sequence"), editable=False)
    created_at = models.DateTimeField(_("time"), editable=False)
    # No database constraint and no cascade: deleting or anonymising a user
    # must never touch the events that mention them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)
    # Which AUDIT_CHAIN_KEY signed the hash (core.hash_chain.chain_key_id); empty
    # for events hashed with plain SHA-256 before the log was keyed.
    key_id = models.CharField(_("hash key"), max_length=16, blank=True, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # Across partitions ``seq`` orders nothing; ``id`` is the order of insertion, and its index
        # keeps the admin's newest-first list cheap where a sort by time would read the whole table.
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["partition", "seq"], name="audit_event_partition_seq")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.partition}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The row that serialises the writers of one partition and remembers where its chain ends.

    Locking this row (``select_for_update``) makes concurrent writers of the
    same partition take turns, so no two events ever claim the same
    predecessor; writers of other partitions lock other rows and never wait.
    """

    partition = models.PositiveSmallIntegerField(default=0, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"audit chain head of partition {self.partition} at #{self.last_seq}"


class ChainVerification(models.Model):
    """One run of a chain verifier: which chain, when it finished, whether the chain held.

    Written by the nightly tasks and the ``verify_*`` commands, so that
    monitoring can tell a verification that failed from one that stopped
    running, on any node. Counts, a verdict and where it broke, never what was in the chain.
    """

    class Chain(models.TextChoices):
        AUDIT_LOG = "audit_log", _("Audit log")
        CONSENT_LEDGER = "consent_ledger", _("Consent ledger")

    chain = models.CharField(_("chain"), max_length=32, choices=Chain.choices)
    ok = models.BooleanField(_("intact"))
    checked = models.PositiveBigIntegerField(_("events checked"), default=0)
    # How many partitions (audit log) were walked, and whether from their first event (a full
    # verification) or from where the last intact verification had reached (incremental).
    partitions = models.PositiveIntegerField(_("partitions"), default=0)
    full = models.BooleanField(_("full verification"), default=True)
    finished_at = models.DateTimeField(_("finished"), default=timezone.now)
    # Where the chain broke, in the verifier's words: sequence numbers and reasons, never a personal value.
    problem = models.CharField(_("problem"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["chain", "-finished_at"], name="audit_chainverif_latest")]
        verbose_name = _("chain verification")
        verbose_name_plural = _("chain verifications")

    def __str__(self):
        return f"{self.chain} {'intact' if self.ok else 'BROKEN'} at {self.finished_at:%Y-%m-%d %H:%M}"
