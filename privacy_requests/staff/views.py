"""Admin pages of the staff queue: the buttons on a request, phone/counter entry, the officers' summary.

Mounted under the rights requests' admin URLs (``PrivacyRequestAdmin.get_urls``),
so the admin site's checks (active staff, passed the second factor) run first.
Every change goes through ``privacy_requests.services``: these views check
who may act, validate the form and report the service's answer.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors as request_selectors
from .. import services
from ..cancellation.services import cancellation_file_on_behalf
from . import forms, selectors
from .chart import bar_chart_svg

ADD_PERMISSION = "privacy_requests.add_privacyrequest"


@dataclass(frozen=True)
class StaffAction:
    """One button on a request's admin page: its form, and the service call behind it."""

    code: str
    label: object
    form_class: type
    run: Callable
    done: object
    danger: bool = False


def _verify(request, actor, data):
    services.privacy_request_verify(request=request, actor=actor, identity_check_note=data["identity_check_note"])


def _withdraw(request, actor, data):
    services.privacy_request_withdraw(request=request, actor=actor)


def _start_review(request, actor, data):
    services.privacy_request_start_review(request=request, actor=actor)


def _complete(request, actor, data):
    services.privacy_request_complete(request=request, actor=actor, answer=data["answer"])


def _propose_refusal(request, actor, data):
    services.privacy_request_propose(
        request=request,
        actor=actor,
        action="refuse",
        reason_code=data["reason_code"],
        explanation=data["explanation"],
    )


def _propose_deletion(request, actor, data):
    services.privacy_request_propose(request=request, actor=actor, action="delete")


def _confirm(request, actor, data):
    services.privacy_request_confirm(request=request, actor=actor)


def _reject_proposal(request, actor, data):
    services.privacy_request_reject_proposal(request=request, actor=actor, note=data["note"])


def _extend(request, actor, data):
    services.privacy_request_extend(
        request=request, actor=actor, working_days=data["working_days"], reason=data["reason"]
    )


def _assign(request, actor, data):
    services.privacy_request_assign(request=request, actor=actor, assignee=data["assignee"])


def _message(request, actor, data):
    services.privacy_request_message(
        request=request,
        author=actor,
        body=data["body"],
        from_staff=True,
        waits_for_citizen=data["waits_for_citizen"],
    )


ACTIONS: dict[str, StaffAction] = {
    action.code: action
    for action in (
        StaffAction(
            "verify",
            gettext_lazy("Record the identity check"),
            forms.VerifyForm,
            _verify,
            gettext_lazy("Identity check recorded; the deadline runs from today."),
        ),
        StaffAction(
            "start_review",
            gettext_lazy("Start review"),
            forms.StartReviewForm,
            _start_review,
            gettext_lazy("Review started."),
        ),
        StaffAction(
            "complete",
            gettext_lazy("Complete the request"),
            forms.CompleteForm,
            _complete,
            gettext_lazy("The request is completed and the citizen is told."),
        ),
        StaffAction(
            "propose_refuse",
            gettext_lazy("Propose a refusal"),
            forms.ProposeRefusalForm,
            _propose_refusal,
            gettext_lazy("Refusal proposed: a second staff member must confirm it."),
            danger=True,
        ),
        StaffAction(
            "propose_delete",
            gettext_lazy("Propose deletion"),
            forms.ProposeDeletionForm,
            _propose_deletion,
            gettext_lazy("Deletion proposed: a second staff member must confirm it."),
            danger=True,
        ),
        StaffAction(
            "confirm",
            gettext_lazy("Confirm the proposal"),
            forms.ConfirmForm,
            _confirm,
            gettext_lazy("Proposal confirmed and applied."),
            danger=True,
        ),
        StaffAction(
            "reject_proposal",
            gettext_lazy("Reject the proposal"),
            forms.RejectProposalForm,
            _reject_proposal,
            gettext_lazy("Proposal rejected; the request stays open."),
        ),
        StaffAction(
            "extend",
            gettext_lazy("Extend the deadline"),
            forms.ExtendForm,
            _extend,
            gettext_lazy("Deadline extended; the citizen is told why."),
        ),
        StaffAction(
            "assign",
            gettext_lazy("Assign"),
            forms.AssignForm,
            _assign,
            gettext_lazy("Assigned."),
        ),
        StaffAction(
            "message",
            gettext_lazy("Send a message to the citizen"),
            forms.MessageForm,
            _message,
            gettext_lazy("Message sent."),
        ),
        StaffAction(
            "withdraw",
            gettext_lazy("Withdraw at the citizen's request"),
            forms.WithdrawForm,
            _withdraw,
            gettext_lazy("The request is withdrawn."),
            danger=True,
        ),
    )
}


def actions_for(*, privacy_request, user) -> list[StaffAction]:
    """The buttons this staff member gets: exactly ``allowed_actions`` (no "confirm" for the proposer)."""
    allowed = request_selectors.allowed_actions(request=privacy_request, actor=user)
    return [ACTIONS[code] for code in allowed if code in ACTIONS]


def _change_url(model_admin, object_id) -> str:
    opts = model_admin.model._meta
    return reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[object_id])


def request_action(request, *, model_admin, object_id: str, action: str):
    """POST one button of a request's page; the service decides and audits, we report."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    privacy_request = model_admin.get_object(request, object_id)
    if privacy_request is None:
        raise Http404
    if not model_admin.may_act(request, privacy_request):
        raise PermissionDenied
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    back = redirect(_change_url(model_admin, privacy_request.pk))
    if spec not in actions_for(privacy_request=privacy_request, user=request.user):
        messages.error(
            request,
            _("“%(action)s” is not possible for this request now (it is “%(state)s”).")
            % {"action": spec.label, "state": privacy_request.get_state_display()},
        )
        return back
    form = spec.form_class(request.POST, prefix=spec.code)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return back
    try:
        spec.run(privacy_request, request.user, form.cleaned_data)
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, spec.done)
    return back


def staff_entry(request, *, model_admin):
    """Enter a request a citizen made by phone or at a service counter."""
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    opts = model_admin.model._meta
    form = forms.StaffEntryForm(request.POST or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.privacy_request_create(
                requester=form.citizen_user,
                kind=data["kind"],
                details={"text": data["details"]},
                channel=data["channel"],
                identity_check_note=data["identity_check_note"],
                filed_by=request.user,
            )
        except services.DuplicateRequest as duplicate:
            form.add_error(
                "kind",
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This citizen already has an open request of this kind:"),
                    _change_url(model_admin, duplicate.open_request.pk),
                    duplicate.open_request.reference,
                ),
            )
        else:
            messages.success(
                request,
                _("Request %(reference)s entered; its deadline is %(due)s.")
                % {
                    "reference": created.reference,
                    "due": date_format(created.due_date) if created.due_date else "-",
                },
            )
            return redirect(_change_url(model_admin, created.pk))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Enter a request taken by phone or at a counter"),
        "opts": opts,
        "form": form,
        "has_view_permission": model_admin.has_view_permission(request),
        "cancellation_url": cancellation_url(model_admin),
        "changelist_url": reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"),
    }
    return TemplateResponse(
        request, "admin/privacy_requests/staff_entry.html", context, status=400 if form.errors else 200
    )


def cancellation_url(model_admin) -> str:
    opts = model_admin.model._meta
    return reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_cancel_on_behalf")


def cancellation_on_behalf(request, *, model_admin):
    """File an account cancellation for a citizen whose identity was checked by phone or at a counter.

    The cancellation's own rules (cooling-off, who may file) live in its service.
    """
    if not request.user.has_perm(ADD_PERMISSION):
        raise PermissionDenied
    opts = model_admin.model._meta
    form = forms.CancellationOnBehalfForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            created = cancellation_file_on_behalf(
                citizen=form.citizen_user,
                staff=request.user,
                identity_check_note=form.cleaned_data["identity_check_note"],
            )
        except services.DuplicateRequest as duplicate:
            form.add_error(
                "citizen",
                _("This citizen already has an open cancellation: %(reference)s.")
                % {"reference": duplicate.open_request.reference},
            )
        except (services.TransitionNotAllowed, ValueError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Account cancellation %(reference)s filed.") % {"reference": created.reference})
            return redirect(_change_url(model_admin, created.pk))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("File an account cancellation on the citizen's behalf"),
        "opts": opts,
        "form": form,
        "has_view_permission": model_admin.has_view_permission(request),
        "changelist_url": reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"),
    }
    return TemplateResponse(
        request, "admin/privacy_requests/cancel_on_behalf.html", context, status=400 if form.errors else 200
    )


def summary(request, *, model_admin):
    """Privacy officers' overview: open work, deadlines, speed, completions per week."""
    if not (model_admin.has_view_permission(request) and selectors.is_privacy_officer(request.user)):
        raise PermissionDenied
    data = selectors.staff_summary()
    chart = bar_chart_svg(
        [(date_format(monday, "m-d"), count) for monday, count in data.weeks],
        title=_("Requests completed per week, last %(weeks)d weeks") % {"weeks": len(data.weeks)},
        description=_("One bar per week, labelled with the Monday it starts on and the number completed."),
    )
    opts = model_admin.model._meta
    changelist = reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Rights requests: summary"),
        "opts": opts,
        "summary": data,
        "chart": chart,
        "median_window_days": selectors.SUMMARY_MEDIAN_DAYS,
        "changelist_url": changelist,
        "overdue_url": f"{changelist}?overdue=yes",
        "due_soon_url": f"{changelist}?due=soon",
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/privacy_requests/summary.html", context)
