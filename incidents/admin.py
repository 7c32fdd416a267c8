"""Privacy officers record incidents and notify the people affected; auditors read."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.admin import fan_out_progress_text

from . import selectors, services
from .models import REPORT_WINDOW, REPORTABLE, Incident


class IncidentForm(forms.ModelForm):
    audience_category = forms.ChoiceField(label=_("Personal-data category"), required=False)
    audience_file = forms.FileField(
        label=_("User ids (CSV)"),
        required=False,
        help_text=_(
            "For “a list of user ids”: a UTF-8 CSV file of account ids, at most 2 MB; a header “id” is allowed."
        ),
    )

    class Meta:
        model = Incident
        fields = [
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "occurred_at",
            "discovered_at",
            "severity",
            "categories",
            "consequences_zh",
            "consequences_en",
            "measures_zh",
            "measures_en",
            "advice_zh",
            "advice_en",
            "reported_at",
            "audience",
            "audience_category",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "audience_category" in self.fields:  # read-only once notified
            self.fields["audience_category"].choices = [("", "---------"), *selectors.category_choices()]

    def clean(self):
        cleaned = super().clean()
        if "reported_at" in self.fields:
            self._clean_reported_at(cleaned.get("reported_at"))
        if "audience" not in self.fields:  # notified: who is affected no longer changes
            return cleaned
        upload = cleaned.get("audience_file")
        if upload is not None:
            try:
                self.instance.audience_user_ids = services.user_ids_from_csv(
                    data=upload.read(services.CSV_MAX_BYTES + 1)
                )
            except ValidationError as error:
                self.add_error("audience_file", error)
                return cleaned
        # The service's own rules, so the form refuses exactly what it would.
        problems = services.incident_audience_problems(
            incident=self.instance,
            audience=cleaned.get("audience"),
            category=cleaned.get("audience_category") or "",
            user_ids=self.instance.audience_user_ids,
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def _clean_reported_at(self, reported_at):
        if "reported_at" in self.errors:
            return
        if reported_at is None:
            if self.instance.pk is not None and self.initial.get("reported_at") is not None:
                self.add_error("reported_at", gettext("A report's time can be corrected but not removed."))
            return
        discovered_at = self.cleaned_data.get("discovered_at") or self.instance.discovered_at
        probe = Incident(discovered_at=discovered_at)
        for field, message in services.incident_report_problems(incident=probe, reported_at=reported_at).items():
            self.add_error(field, message)

    @property
    def audience_changed(self) -> bool:
        return bool({"audience", "audience_category", "audience_file"} & set(self.changed_data))


class ReportClockFilter(admin.SimpleListFilter):
    title = _("report to the cyberspace office")
    parameter_name = "report"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("due", _("Due, clock running")), ("reported", _("Reported"))]

    def queryset(self, request, queryset):
        required = queryset.filter(severity__in=REPORTABLE)
        deadline_passed = Q(discovered_at__lt=timezone.now() - REPORT_WINDOW)
        if self.value() == "overdue":
            return required.filter(reported_at__isnull=True).filter(deadline_passed)
        if self.value() == "due":
            return required.filter(reported_at__isnull=True).exclude(deadline_passed)
        if self.value() == "reported":
            return required.filter(reported_at__isnull=False)
        return queryset


class NotifyForm(forms.Form):
    banner_until = forms.DateTimeField(
        label=_("Show a banner on every portal page until"),
        required=False,
        help_text=_("Leave empty for no banner. Format: 2026-12-31 18:00."),
    )

    def clean_banner_until(self):
        value = self.cleaned_data["banner_until"]
        if value is not None and value <= timezone.now():
            raise ValidationError(gettext("The banner's end must be in the future."))
        return value


def report_clock_text(incident: Incident) -> str:
    deadline = incident.report_deadline
    if deadline is None:
        return gettext("Not required")
    if incident.reported_at is not None:
        return gettext("Reported late") if incident.report_overdue else gettext("Reported on time")
    remaining = deadline - timezone.now()
    if remaining.total_seconds() <= 0:
        return gettext("Overdue")
    minutes = int(remaining.total_seconds() // 60)
    return gettext("%(hours)d h %(minutes)02d min left") % {"hours": minutes // 60, "minutes": minutes % 60}


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    form = IncidentForm
    list_display = ("__str__", "severity", "discovered_at", "report_clock", "reported_at", "notification_progress")
    list_filter = ("severity", ReportClockFilter)
    search_fields = ("title_zh", "title_en")
    filter_horizontal = ("categories",)
    readonly_fields = ("report_clock", "affected_count", "notification_progress", "banner_until")
    list_select_related = ("fan_out",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title_zh",
                    "title_en",
                    "description_zh",
                    "description_en",
                    "occurred_at",
                    "discovered_at",
                    "severity",
                    "categories",
                )
            },
        ),
        (
            _("Response"),
            {"fields": ("consequences_zh", "consequences_en", "measures_zh", "measures_en", "advice_zh", "advice_en")},
        ),
        (_("Report to the provincial cyberspace office"), {"fields": ("report_clock", "reported_at")}),
        (
            _("Affected people"),
            {"fields": ("audience", "audience_category", "audience_file", "affected_count")},
        ),
        (_("Notification"), {"fields": ("notification_progress", "banner_until")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj) or (obj is not None and obj.fan_out_id is not None):
            # A read-only page has no upload field, nor has a notified incident.
            return [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "audience_file"]})
                for name, opts in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.fan_out_id is not None:
            # Once people are being told, who they are is history, not a setting.
            fields += ["audience", "audience_category"]
        return fields

    @admin.display(description=_("report clock"))
    def report_clock(self, obj):
        text = report_clock_text(obj)
        if obj.report_overdue:
            return format_html('<strong class="errornote">{}</strong>', text)
        return text

    @admin.display(description=_("affected people"))
    def affected_count(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return selectors.incident_recipients(incident=obj).count()

    @admin.display(description=_("notification"))
    def notification_progress(self, obj):
        if obj.fan_out is None:
            return gettext("Not notified")
        return fan_out_progress_text(obj.fan_out)

    def save_model(self, request, obj, form, change):
        # The record, its audience and its report each go through their own
        # service, so the rules and audit events are the same as anywhere else.
        with transaction.atomic():
            services.incident_save(incident=obj, actor=request.user, created=not change)
            if change and "audience" in form.fields and form.audience_changed:
                services.incident_audience_set(
                    incident=obj,
                    actor=request.user,
                    audience=form.cleaned_data["audience"],
                    category=form.cleaned_data.get("audience_category") or "",
                    user_ids=obj.audience_user_ids,
                )
            # A new incident's report time is part of recording it (checked by incident_save).
            reported_at = form.cleaned_data.get("reported_at")
            if change and "reported_at" in form.changed_data and reported_at is not None:
                services.incident_mark_reported(incident=obj, actor=request.user, reported_at=reported_at)

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/notify/",
                view(self.notify_view),
                name=f"{opts.app_label}_{opts.model_name}_notify",
            ),
            path(
                "<path:object_id>/notice-preview/",
                view(self.preview_view),
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj):
            extra["notify_url"] = reverse(f"{self.admin_site.name}:incidents_incident_notify", args=[obj.pk])
        if obj is not None:
            extra["preview_url"] = reverse(f"{self.admin_site.name}:incidents_incident_preview", args=[obj.pk])
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def preview_view(self, request, object_id):
        """The notice exactly as each language's readers would get it, and what it still lacks."""
        incident = self.get_object(request, object_id)
        if incident is None:
            raise Http404
        if not self.has_view_permission(request, incident):
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/incidents/incident/notice_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Preview of the notice"),
                "opts": self.model._meta,
                "original": incident,
                "previews": services.incident_notice_preview(incident=incident),
                "problems": services.incident_notice_problems(incident=incident).values(),
            },
        )

    def notify_view(self, request, object_id):
        incident = self.get_object(request, object_id)
        if incident is None:
            raise Http404
        if not self.has_change_permission(request, incident):
            raise PermissionDenied
        form = NotifyForm(request.POST or None)
        already = incident.fan_out_id is not None
        problems = [] if already else list(services.incident_notice_problems(incident=incident).values())
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                services.incident_notify(
                    incident=incident, actor=request.user, banner_until=form.cleaned_data["banner_until"]
                )
            except ValidationError as error:
                problems, status = error.messages, 400
            else:
                self.message_user(request, gettext("The affected people are being notified."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:incidents_incident_change", args=[incident.pk])
                )
        return TemplateResponse(
            request,
            "admin/incidents/incident/notify.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Notify affected people"),
                "opts": self.model._meta,
                "original": incident,
                "form": form,
                "people": selectors.incident_recipients(incident=incident).count(),
                "already": already,
                "problems": problems,
                "preview_url": reverse(f"{self.admin_site.name}:incidents_incident_preview", args=[incident.pk]),
            },
            status=status,
        )
