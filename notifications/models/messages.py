"""The outbox emails and the in-portal inbox messages."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField


class InboxMessage(models.Model):
    """A message shown in the citizen's inbox in the portal."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="inbox_messages",
    )
    kind = models.CharField(_("kind"), max_length=64)
    # As sent, in the language the person used then.
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # The same message in every language the portal offers, {language: {"subject", "body"}},
    # written at send time: the context it was rendered from (a request, an incident) may
    # change or go, and a person who switches language reads their inbox in the new one.
    # Empty for messages sent before it existed; they show as sent.
    # db_default: the fan-out inserts rows with SQL of its own.
    texts = models.JSONField(_("texts by language"), default=dict, db_default={}, blank=True, editable=False)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="inbox_recipient_unread")]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")

    def __str__(self):
        return f"inbox message #{self.pk}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def text_in(self, language: str | None) -> tuple[str, str]:
        """Subject and body in ``language``, or as sent if the message has no text in it."""
        text = self.texts.get(language or "") if isinstance(self.texts, dict) else None
        if isinstance(text, dict) and text.get("subject"):
            return text["subject"], text.get("body", "")
        return self.subject, self.body

    @property
    def shown_subject(self) -> str:
        """The subject in the language of the page (or API answer) showing it."""
        return self.text_in(translation.get_language())[0]

    @property
    def shown_body(self) -> str:
        return self.text_in(translation.get_language())[1]


class OutboxEmail(models.Model):
    """An email waiting to go out, written in the same transaction as its cause.

    The row is the source of truth: the Celery task only carries its id, so a
    lost task delays the email (the beat scan finds the row) but never loses it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_emails",
    )
    to_address = models.EmailField(_("to"))
    kind = models.CharField(_("kind"), max_length=64)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    # Security messages (one-time codes, verification codes, password-reset
    # and enrolment links) keep their text here instead, encrypted, and only
    # until it is sent or given up on: the row then shows that it went out,
    # and a copy of the database holds no code or link that still works.
    # db_default: the fan-out and the benchmarks insert rows with SQL of their own.
    sealed_body = EncryptedTextField(_("sealed body"), blank=True, default="", db_default="", editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_due",
                condition=models.Q(state="pending"),
            ),
            # The metrics endpoint counts failed emails at every scrape (issue #12).
            models.Index(fields=["created_at"], name="outbox_failed", condition=models.Q(state="failed")),
        ]
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox emails")
        permissions = [("retry_outboxemail", _("Can retry sending outbox emails"))]

    def __str__(self):
        return f"outbox email #{self.pk} ({self.state})"

    @property
    def text(self) -> str:
        """What the email says: the sealed text while it waits, the plain body otherwise."""
        return self.sealed_body or self.body
