"""The queue's bulk decisions: the pages behind the "propose a decision" and "confirm" actions.

An admin action receives the selected requests; each page here asks for
what the decision needs, hands the batch to the batch service and reports
its answer. A refused batch comes back on the same page with every request
that stands in the way and why (status 400): nothing was changed.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import services
from . import forms

CONFIRM_FIELD = "confirm_batch"


def _page(request, *, model_admin, queryset, action: str, title, form=None, problems=(), status=200):
    return TemplateResponse(
        request,
        "admin/privacy_requests/privacyrequest/bulk_decision.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "opts": model_admin.model._meta,
            "form": form,
            "action": action,
            "requests": list(queryset.select_related("proposed_by")),
            "problems": problems,
            "confirm_field": CONFIRM_FIELD,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
        status=status,
    )


def propose_decision(model_admin, request, queryset):
    """First officer: one decision (approve or refuse, with reason and text) for every selected request."""
    title = _("Propose a decision for the selected requests")
    form = forms.BulkDecisionForm(request.POST if CONFIRM_FIELD in request.POST else None)
    if not form.is_bound:
        return _page(
            request, model_admin=model_admin, queryset=queryset, action="propose_decision", title=title, form=form
        )
    if not form.is_valid():
        return _page(
            request,
            model_admin=model_admin,
            queryset=queryset,
            action="propose_decision",
            title=title,
            form=form,
            status=400,
        )
    data = form.cleaned_data
    try:
        done = services.privacy_requests_propose_batch(
            requests=list(queryset),
            actor=request.user,
            decision=data["decision"],
            reason_code=data["reason_code"],
            explanation=data["explanation"],
        )
    except services.BatchNotAllowed as refused:
        return _page(
            request,
            model_admin=model_admin,
            queryset=queryset,
            action="propose_decision",
            title=title,
            form=form,
            problems=refused.problems,
            status=400,
        )
    model_admin.message_user(
        request,
        ngettext(
            "Decision proposed for %(count)d request: a second officer must confirm it.",
            "Decision proposed for %(count)d requests: a second officer must confirm them.",
            len(done),
        )
        % {"count": len(done)},
        messages.SUCCESS,
    )
    return None


def confirm_proposals(model_admin, request, queryset):
    """Second officer: apply the proposals waiting on the selected requests, each with its own notice."""
    title = _("Confirm the proposed decisions")
    if CONFIRM_FIELD not in request.POST:
        return _page(request, model_admin=model_admin, queryset=queryset, action="confirm_proposals", title=title)
    try:
        done = services.privacy_requests_confirm_batch(requests=list(queryset), actor=request.user)
    except services.BatchNotAllowed as refused:
        return _page(
            request,
            model_admin=model_admin,
            queryset=queryset,
            action="confirm_proposals",
            title=title,
            problems=refused.problems,
            status=400,
        )
    model_admin.message_user(
        request,
        ngettext(
            "%(count)d decision confirmed; the citizen is told.",
            "%(count)d decisions confirmed; each citizen is told.",
            len(done),
        )
        % {"count": len(done)},
        messages.SUCCESS,
    )
    return None
