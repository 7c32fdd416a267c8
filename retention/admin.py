"""Retention in admin: rules (privacy officers edit), legal holds (placed and lifted through the services),
the sweep reports (read-only, counts only) and the register of processing (generated, read-only)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Sum
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_mixins import ReadOnlyAdminMixin

from . import services
from .models import LegalHold, ProcessingRegister, RetentionRule, SweepReport, SweepReportLine
from .register import views as register_views


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "category", "model", "event", "date_field", "period_days", "action", "active")
    list_filter = ("active", "action", "category")
    search_fields = ("code", "category", "model")
    fieldsets = (
        (None, {"fields": ("code", "category", "description", "active")}),
        (_("Which rows"), {"fields": ("model", "event", "date_field", "filters", "condition", "person_field")}),
        (_("What happens"), {"fields": ("period_days", "action", "anonymise_fields")}),
    )


class ReviewFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "hold_state"

    def lookups(self, request, model_admin):
        return (
            ("past_review", _("Active, past its review date")),
            ("active", _("Active")),
            ("lifted", _("Lifted")),
        )

    def queryset(self, request, queryset):
        if self.value() == "past_review":
            return queryset.past_review()
        if self.value() == "active":
            return queryset.active()
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("user", "category", "reason", "review_date")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            # A placed hold is read-only: it is lifted, never edited.
            return cleaned
        # The same checks as the service, so a bad hold comes back as form errors, not a failure.
        errors = services.legal_hold_problems(
            user=cleaned.get("user"),
            category=cleaned.get("category", ""),
            reason=cleaned.get("reason", ""),
            review_date=cleaned.get("review_date"),
        )
        for name, message in errors.items():
            # A field that failed its own validation already says so.
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    form = LegalHoldForm
    list_display = ("id", "user_id", "category", "placed_at", "review_flag", "lifted_at")
    list_filter = (ReviewFilter, "category")
    raw_id_fields = ("user",)
    actions = ["lift"]
    add_fields = ("user", "category", "reason", "review_date")
    readonly_fields = ("user", "category", "reason", "review_date", "placed_by", "placed_at", "lifted_at", "lifted_by")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description=_("review date"), ordering="review_date")
    def review_flag(self, obj):
        if obj.is_past_review:
            return format_html('<strong class="errornote">{} — {}</strong>', obj.review_date, _("past review"))
        return obj.review_date

    def has_delete_permission(self, request, obj=None):
        # A hold is lifted, never deleted: the row is the record that it existed.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        hold = services.legal_hold_place(
            actor=request.user,
            user=form.cleaned_data.get("user"),
            category=form.cleaned_data.get("category", ""),
            reason=form.cleaned_data["reason"],
            review_date=form.cleaned_data["review_date"],
        )
        obj.pk = hold.pk

    @admin.action(description=_("Lift the selected holds"), permissions=["change"])
    def lift(self, request, queryset):
        count = 0
        for hold in queryset.filter(lifted_at__isnull=True):
            services.legal_hold_lift(actor=request.user, hold=hold)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d hold lifted.", "%(count)d holds lifted.", count) % {"count": count},
            messages.SUCCESS,
        )


class SweepReportLineInline(admin.TabularInline):
    model = SweepReportLine
    fields = ("rule_code", "rows_deleted", "rows_anonymised", "rows_held", "duration_ms")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SweepReport)
class SweepReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "started_at", "finished_at", "dry_run", "deleted", "anonymised", "held")
    list_filter = ("dry_run",)
    fields = ("started_at", "finished_at", "dry_run")
    readonly_fields = fields
    inlines = [SweepReportLineInline]
    change_list_template = "admin/retention/sweepreport/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                total_deleted=Sum("lines__rows_deleted"),
                total_anonymised=Sum("lines__rows_anonymised"),
                total_held=Sum("lines__rows_held"),
            )
        )

    @admin.display(description=_("rows deleted"), ordering="total_deleted")
    def deleted(self, obj):
        return obj.total_deleted or 0

    @admin.display(description=_("rows anonymised"), ordering="total_anonymised")
    def anonymised(self, obj):
        return obj.total_anonymised or 0

    @admin.display(description=_("rows kept for holds"), ordering="total_held")
    def held(self, obj):
        return obj.total_held or 0

    def changelist_view(self, request, extra_context=None):
        from .chart import sweep_volume_svg
        from .selectors import sweep_reports_recent

        extra_context = {**(extra_context or {}), "volume_chart": sweep_volume_svg(sweep_reports_recent(limit=30))}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(ProcessingRegister)
class ProcessingRegisterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The register's line on the admin index leads to a generated page, not a list of rows.

    The default list, add and change pages are replaced: the register has
    no rows of its own to edit (change the purposes, partners and rules).
    """

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.register_view), name=f"{prefix}_changelist"),
            path("download/", view(self.download_view), name=f"{prefix}_download"),
        ]

    def register_view(self, request):
        return register_views.register_page(request, model_admin=self)

    def download_view(self, request):
        return register_views.register_download(request, model_admin=self)
