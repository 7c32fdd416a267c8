"""Retention in admin: rules (privacy officers edit, through the audited service), the sweep reports
(read-only, counts only) and the register of processing (generated, read-only). Legal holds are in
``personal_data.admin``."""

from django.contrib import admin
from django.db.models import Sum
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin

from . import services
from .models import ProcessingRegister, RetentionRule, SweepReport, SweepReportLine
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

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The form ran the same checks already; the service repeats them, saves and writes the audit record.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.retention_rule_update(actor=request.user, rule=obj, changes=changes)


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
