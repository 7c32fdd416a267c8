"""Level-3 identity checks in admin, and the page where staff record an in-person counter check."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from ..models import StrongVerification
from ..strong_verification import services as verification_services
from ..strong_verification.forms import CounterCheckForm


@admin.register(StrongVerification)
class StrongVerificationAdmin(admin.ModelAdmin):
    """Level-3 checks. Staff add one only through the counter-check page; none is ever changed."""

    list_display = ("created_at", "user_id_display", "method", "outcome", "partner", "reference", "recorded_by_id")
    list_filter = ("method", "outcome")
    list_select_related = ("partner",)
    search_fields = ("=user__id", "=reference")
    show_full_result_count = False
    fields = ("user_id_display", "method", "outcome", "partner", "reference", "recorded_by_id", "created_at")
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="user_id")
    def user_id_display(self, obj):
        return obj.user_id

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        opts = self.model._meta
        counter = path(
            "counter-check/",
            self.admin_site.admin_view(self.counter_check_view),
            name=f"{opts.app_label}_{opts.model_name}_counter_check",
        )
        return [counter, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # The one way staff add a check is the counter page.
        opts = self.model._meta
        return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_counter_check")

    def counter_check_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        form = CounterCheckForm(request.POST or None)
        if form.is_bound and form.is_valid():
            try:
                check = verification_services.counter_check_record(user=form.profile.user, staff=request.user)
            except verification_services.StrongVerificationError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("Counter check recorded: user #%(user)s is now verified at level 3.") % {"user": check.user_id},
                    messages.SUCCESS,
                )
                return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record an in-person check at a service counter"),
            "opts": opts,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            "changelist_url": reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"),
        }
        return TemplateResponse(
            request, "admin/consents/counter_check.html", context, status=400 if form.errors else 200
        )
