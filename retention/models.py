"""Retention rules and the reports the sweep leaves behind (legal holds live in ``personal_data``)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    """How long one kind of record is kept, measured from which event, and what happens after.

    The sweep (``retention.sweep``) reads these rows every night. A rule
    names a model and one of its datetime fields (the event the period runs
    from), an optional filter narrowing the rows (``{"state": "sent"}``), and
    the action: delete the rows, or anonymise them by blanking the listed fields.
    """

    class Action(models.TextChoices):
        DELETE = "delete", _("Delete the rows")
        ANONYMISE = "anonymise", _("Anonymise the listed fields")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    # A personal-data registry category (personal_data.registry) or a named
    # data set (e.g. "django_sessions"); legal holds on a category match it.
    category = models.CharField(_("data category"), max_length=64, db_index=True)
    description = models.CharField(_("description"), max_length=200, blank=True, default="")
    model = models.CharField(_("model"), max_length=100, help_text=_("app_label.model, e.g. accounts.loginactivity"))
    event = models.CharField(_("event the period runs from"), max_length=100, blank=True, default="")
    date_field = models.CharField(_("date field"), max_length=64, help_text=_("A date/time field of the model."))
    filters = models.JSONField(
        _("filter"), default=dict, blank=True, help_text=_('Field lookups narrowing the rows, e.g. {"state": "sent"}.')
    )
    # A named condition (retention.rules.rule_condition), for what a plain
    # lookup cannot say (e.g. "the session this row describes is gone").
    condition = models.CharField(_("named condition"), max_length=64, blank=True, default="")
    person_field = models.CharField(
        _("path to the person"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("Lookup from the model to the person (e.g. user, request__requester); empty if none."),
    )
    period_days = models.PositiveIntegerField(_("period (days)"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.DELETE)
    anonymise_fields = models.JSONField(_("fields to blank"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self):
        return self.code

    def clean(self):
        from django.core.exceptions import ValidationError

        from .rules import rule_problems

        problems = rule_problems(self)
        if problems:
            raise ValidationError(problems)


class SweepReport(models.Model):
    """One run of the sweep: when, dry or not. Counts only, never personal data."""

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("sweep report")
        verbose_name_plural = _("sweep reports")

    def __str__(self):
        return f"sweep #{self.pk}"


class SweepReportLine(models.Model):
    report = models.ForeignKey(SweepReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="lines")
    rule = models.ForeignKey(
        RetentionRule, verbose_name=_("rule"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_code = models.CharField(_("rule"), max_length=64)
    rows_deleted = models.PositiveBigIntegerField(_("rows deleted"), default=0)
    rows_anonymised = models.PositiveBigIntegerField(_("rows anonymised"), default=0)
    rows_held = models.PositiveBigIntegerField(_("rows kept for holds"), default=0)
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["report", "rule_code"]
        verbose_name = _("sweep report line")
        verbose_name_plural = _("sweep report lines")

    def __str__(self):
        return f"{self.rule_code}: -{self.rows_deleted} ~{self.rows_anonymised} ={self.rows_held}"


class ProcessingRegister(RetentionRule):
    """The register of processing (clause 7.2), as an entry of its own in admin.

    It stores nothing: the register is generated from purposes, partners and
    retention rules (``retention.register``). Being a proxy gives the page
    its own permission (``retention.view_processingregister``, granted to
    privacy officers and auditors in ``accounts.staff.roles``) and its own
    line on the admin index, shown only to those who hold it.
    """

    class Meta:
        proxy = True
        default_permissions = ("view",)
        verbose_name = _("register of processing")
        verbose_name_plural = _("register of processing")
