"""A rights request, its timeline, its messages and what was done per category."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.encryption import EncryptedTextField


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (a copy of my data)")
    EXPORT = "export", _("Export (machine-readable copy)")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")
    WITHDRAWAL = "withdrawal", _("Consent withdrawal")
    CANCELLATION = "cancellation", _("Account cancellation")
    COMPLAINT = "complaint", _("Complaint or question")


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    IN_REVIEW = "in_review", _("In review")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by you")
    LAPSED = "lapsed", _("Lapsed (identity not checked in time)")


class PropagationState(models.TextChoices):
    """Whether the services holding copies have erased them too (deletion and cancellation only).

    A request is "completed" once the portal erased its own data; it is
    fully done when every instruction to the services is confirmed, or a
    privacy officer closed the rest with a reason.
    """

    NOT_NEEDED = "", _("Not needed")
    PENDING = "pending", _("Waiting for services to confirm erasure")
    CONFIRMED = "confirmed", _("Every service confirmed erasure")
    CLOSED = "closed", _("Closed by a privacy officer")


class RequestChannel(models.TextChoices):
    WEB = "web", _("Portal")
    API = "api", _("API")
    PHONE = "phone", _("By phone (entered by staff)")
    COUNTER = "counter", _("At a service counter (entered by staff)")


class RefusalReason(models.TextChoices):
    LEGAL_OBLIGATION = "legal_obligation", _("A legal obligation requires us to keep or withhold it")
    IDENTITY_UNVERIFIED = "identity_unverified", _("We could not verify your identity")
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded", _("The request is manifestly unfounded or excessive")
    OTHERS_RIGHTS = "others_rights", _("It would affect other people's rights")
    OTHER = "other", _("Other reason")


class PrivacyRequest(models.Model):
    """One request by a person to exercise a right under the policy.

    Its state changes only through ``privacy_requests.services``; every
    change is a ``RequestEvent``. The deadline is counted in working days
    from the verified receipt; time waiting for the citizen's answer does
    not count (``paused_since``, ``paused_working_days``).
    """

    reference = models.CharField(pgettext_lazy("rights request", "reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=15, choices=RequestKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=RequestState.choices, default=RequestState.SUBMITTED, db_index=True
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests",
    )
    # Anonymous complaints only: where to send the answer.
    contact_email = EncryptedTextField(_("contact email"), blank=True, default="")
    channel = models.CharField(_("channel"), max_length=10, choices=RequestChannel.choices, default=RequestChannel.WEB)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # How identity was checked: the step-up check for online requests, a
    # description of the check for requests entered by staff.
    identity_check = models.ForeignKey(
        "accounts.StepUpCheck",
        verbose_name=_("identity check"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    identity_check_note = models.CharField(_("how identity was checked"), max_length=200, blank=True, default="")
    # What the request is about, as JSON (field and new value of a
    # correction, purposes to withdraw, the complaint's text): encrypted.
    details = EncryptedTextField(_("details"), blank=True, default="")
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    verified_at = models.DateTimeField(_("identity verified"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    extension_reason = models.CharField(_("reason for extension"), max_length=300, blank=True, default="")
    paused_since = models.DateTimeField(_("waiting for the citizen since"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("working days spent waiting"), default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_privacy_requests",
    )
    # Maker-checker: a refusal, deletion or (in a batch) completion proposed
    # by one staff member takes effect only when a second one confirms it.
    proposed_action = models.CharField(_("proposed action"), max_length=20, blank=True, default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    refusal_reason = models.CharField(
        _("refusal reason"), max_length=25, choices=RefusalReason.choices, blank=True, default=""
    )
    refusal_explanation = models.TextField(_("refusal explanation"), blank=True, default="")
    # A completion proposed in a batch: the answer the citizen receives once a
    # second officer confirms it. Kept apart from ``answer``, which the citizen sees.
    proposed_answer = models.TextField(_("proposed answer"), blank=True, default="")
    answer = models.TextField(_("answer to the citizen"), blank=True, default="")
    # Account cancellation: signing in offers only "reverse" until then.
    cooling_off_until = models.DateTimeField(_("cooling-off until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Deletion and cancellation: the services' erasure, after the portal's own
    # (``privacy_requests.erasure_propagation``). Only its services change it.
    propagation = models.CharField(
        _("erasure by services"),
        max_length=10,
        choices=PropagationState.choices,
        blank=True,
        default=PropagationState.NOT_NEEDED,
        db_index=True,
    )
    fully_done_at = models.DateTimeField(_("fully done"), null=True, blank=True)
    # Set once, by the daily overdue sweep: from then on the privacy officers own the deadline too.
    escalated_at = models.DateTimeField(_("escalated to the privacy officers"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "received_at"]
        indexes = [
            models.Index(fields=["requester", "kind", "state"], name="request_requester_kind_state"),
            models.Index(fields=["state", "due_date"], name="request_queue"),
        ]
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")

    def __str__(self):
        return self.reference


class RequestEvent(models.Model):
    """One step in a request's timeline, shown to the citizen and to staff."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(pgettext_lazy("state change", "from"), max_length=20, blank=True, default="")
    to_state = models.CharField(pgettext_lazy("state change", "to"), max_length=20, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self):
        return f"{self.request_id}: {self.action}"


class RequestMessage(models.Model):
    """A message between staff and the citizen about a request."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_staff = models.BooleanField(_("from staff"))
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request message")
        verbose_name_plural = _("request messages")

    def __str__(self):
        return f"message #{self.pk}"


class RequestOutcome(models.Model):
    """What happened to one category of data: provided, deleted, or kept and why."""

    class Result(models.TextChoices):
        PROVIDED = "provided", _("Provided")
        CORRECTED = "corrected", _("Corrected")
        DELETED = "deleted", _("Deleted")
        ANONYMISED = "anonymised", _("Anonymised")
        KEPT = "kept", _("Kept")
        WITHHELD = "withheld", _("Withheld")

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="outcomes")
    category = models.CharField(_("data category"), max_length=50)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    legal_reason = models.CharField(_("legal reason"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["category"]
        verbose_name = _("outcome per category")
        verbose_name_plural = _("outcomes per category")

    def __str__(self):
        return f"{self.category}: {self.result}"
