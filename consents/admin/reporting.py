from django.contrib import admin
from django.urls import path

from core.admin_mixins import ReadOnlyAdminMixin

from ..models import ConsentReport
from ..reporting import views as report_views


@admin.register(ConsentReport)
class ConsentReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The report's line on the admin index leads to a generated page, not a list of rows."""

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.report_view), name=f"{prefix}_changelist"),
            path("download/", view(self.download_view), name=f"{prefix}_download"),
        ]

    def report_view(self, request):
        return report_views.report_page(request, model_admin=self)

    def download_view(self, request):
        return report_views.report_download(request, model_admin=self)
