"""The staff status page in admin (``/admin/status/``): every component of the deployment at a glance."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .status import FAILED, deployment_status


@require_GET
@never_cache
def status_page(request):
    """Installed through ``admin.site.admin_view``: staff who passed the admin's second factor only."""
    components = deployment_status()
    context = {
        **admin.site.each_context(request),
        "title": _("Deployment status"),
        "components": components,
        "any_failed": any(component.state == FAILED for component in components),
    }
    return TemplateResponse(request, "admin/status.html", context)
