"""Admin pages of the register of processing: the table, and its CSV download.

Mounted by ``ProcessingRegisterAdmin.get_urls`` behind the admin site's own
checks (active staff, passed the second factor). Who may open them is the
``retention.view_processingregister`` permission: privacy officers and
auditors, not customer service.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import processing_register_rows
from .services import processing_register_download

RULE_VIEW_PERMISSION = "retention.view_retentionrule"


def _check(request, model_admin) -> None:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied


def register_page(request, *, model_admin):
    _check(request, model_admin)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    opts = model_admin.model._meta
    rows = processing_register_rows()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Register of processing"),
        "opts": opts,
        "rows": rows,
        "expired_count": sum(1 for row in rows if row.has_expired_agreement),
        "download_url": reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_download"),
        "link_rules": request.user.has_perm(RULE_VIEW_PERMISSION),
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/retention/processing_register.html", context)


def register_download(request, *, model_admin):
    """GET only: each download is one audit event, and a HEAD would record one without a file."""
    _check(request, model_admin)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    filename, content = processing_register_download(actor=request.user)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
