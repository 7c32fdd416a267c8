"""Admin pages of the consent report: the figures with a chart, and the CSV by subject id.

Mounted by ``ConsentReportAdmin.get_urls`` behind the admin site's own checks
(active staff, passed the second factor). The figures need
``consents.view_consentreport`` (privacy officers and auditors); the CSV
``consents.export_consentreport`` (privacy officers), and each download is audited.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from consents.models import Partner, Purpose

from .chart import consent_history_svg
from .selectors import consent_history, consent_report_purposes, consent_totals
from .services import consent_states_csv

EXPORT_PERMISSION = "consents.export_consentreport"


def _purpose_asked(request) -> Purpose | None:
    """The purpose in ``?purpose=``: None for none given, 404 for one that is not in the report."""
    code = request.GET.get("purpose", "")
    if not code:
        return None
    purpose = consent_report_purposes().filter(code=code).first()
    if purpose is None:
        raise Http404(_("No such purpose in the consent report."))
    return purpose


def _partner_asked(request, purpose: Purpose | None) -> Partner | None:
    """The partner in ``?partner=``, which must receive data under the shown purpose; else 404."""
    code = request.GET.get("partner", "")
    if not code:
        return None
    partner = purpose.partners.filter(code=code).first() if purpose is not None else None
    if partner is None:
        raise Http404(_("No such partner under this purpose in the consent report."))
    return partner


def report_page(request, *, model_admin):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    purposes = list(consent_report_purposes())
    shown = _purpose_asked(request) or (purposes[0] if purposes else None)
    partner = _partner_asked(request, shown)
    history = consent_history(purpose=shown, partner=partner) if shown is not None else []
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Consent report"),
        "opts": opts,
        "totals": consent_totals(),
        "purposes": purposes,
        "shown": shown,
        "shown_partner": partner,
        "history": history,
        "chart": consent_history_svg(history),
        "download_url": reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_download"),
        "can_download": request.user.has_perm(EXPORT_PERMISSION),
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/consents/consent_report.html", context)


def report_download(request, *, model_admin):
    """GET only: each download is one audit event, and a HEAD would record one without a file."""
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    name, lines = consent_states_csv(actor=request.user, purpose=_purpose_asked(request))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
