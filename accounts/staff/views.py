"""The audited reveal of one masked field, an admin page.

Reached from the reveal button beside a masked field; mounted under the
model's admin URLs (see ``RevealableAdminMixin``), so the admin site's checks
(active staff, passed the second factor) run before this view.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from audit.services import PersonalDataInAuditDetails

from . import selectors, services
from .forms import RevealForm
from .masked_fields import field_label, masked_value
from .roles import REVEAL_PERMISSION


def reveal_field(request, *, model_admin, object_id: str, field: str):
    """GET: ask for a reason. POST: record it and show the full value, on this response only.

    The value travels in the body of a POST response that no cache keeps;
    it is never put in a URL, a redirect or the session.
    """
    if not request.user.has_perm(REVEAL_PERMISSION) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    target = selectors.access_revealable(queryset=model_admin.get_queryset(request), object_id=object_id, field=field)
    form = RevealForm(request.POST if request.method == "POST" else None)
    revealed = None
    if form.is_bound and form.is_valid():
        try:
            revealed = services.personal_data_reveal(
                actor=request.user, target=target, field=field, reason=form.cleaned_data["reason"]
            )
        except PersonalDataInAuditDetails:
            form.add_error(
                "reason",
                _("The reason must not contain personal data (ID, phone or card numbers, email addresses)."),
            )
        except ValidationError as error:
            form.add_error("reason", error)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Reveal %(field)s") % {"field": field_label(model_admin.model, field)},
        "subtitle": str(target),
        "opts": opts,
        "original": target,
        "field_name": field,
        "field_label": field_label(model_admin.model, field),
        "masked": masked_value(target, field),
        "form": form,
        "revealed": revealed,
        "has_view_permission": True,
    }
    response = TemplateResponse(request, "admin/accounts/reveal_field.html", context)
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    response.personal_data = True
    return response
