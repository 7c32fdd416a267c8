"""The citizen's pages for rights requests: list, new request per kind, detail, reply, withdraw, complaint.

Thin views: the services do the work, the selectors read. Every page with a
request on it is login-required and reaches the request through
``access_privacy_request`` (404 for anyone else's). Filing a request needs a
step-up check passed within 10 minutes, recorded on the request; only an
anonymous complaint (clause 10) is filed without one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.two_factor.decorators import STEP_UP_MINUTES, require_recent_verification, step_up_required_response
from accounts.two_factor.selectors import step_up_recent

from . import selectors, services
from .erasure_propagation import selectors as propagation_selectors
from .event_labels import EVENT_LABELS
from .exports.services import ExportQuotaExceeded
from .forms import FORMS, ComplaintForm, DeletionForm, ReplyForm
from .models import RequestChannel, RequestKind

# The kinds filed through the generic "new request" page; complaints have
# their own page (open to anonymous visitors), cancellation its own flow.
NEW_KINDS = (
    RequestKind.ACCESS,
    RequestKind.EXPORT,
    RequestKind.CORRECTION,
    RequestKind.DELETION,
    RequestKind.WITHDRAWAL,
)
KIND_HELP = {
    RequestKind.ACCESS: gettext_lazy("A copy of everything we hold about you, with a readable summary."),
    RequestKind.EXPORT: gettext_lazy("The same, in machine-readable files (JSON and CSV) to take elsewhere."),
    RequestKind.CORRECTION: gettext_lazy("A verified detail of yours is wrong: tell us the correct value."),
    RequestKind.DELETION: gettext_lazy("Delete what we hold about you, except what the law requires us to keep."),
    RequestKind.WITHDRAWAL: gettext_lazy("Withdraw consent to optional uses of your data; takes effect at once."),
    RequestKind.CANCELLATION: gettext_lazy("Close your account; your personal data is then deleted."),
    RequestKind.COMPLAINT: gettext_lazy("Complain or ask us a question about how we handle your data."),
}
# Anonymous complaints from one address per hour, against form spam.
ANONYMOUS_COMPLAINTS_PER_HOUR = 10


def _cancel_url() -> str:
    # The cancellation flow is its own module (privacy_requests.cancellation).
    return reverse("privacy_requests:cancellation:confirm")


@login_required
def request_list(request):
    rows = selectors.request_rows_for(user=request.user)
    open_kinds = {row.request.kind: row.request for row in rows if selectors.is_open(row.request)}
    kinds = [
        {
            "code": kind,
            "label": RequestKind(kind).label,
            "help": KIND_HELP[kind],
            "url": reverse("privacy_requests:new", args=[kind]),
            "open": open_kinds.get(kind),
        }
        for kind in NEW_KINDS
    ]
    kinds.append(
        {
            "code": RequestKind.CANCELLATION,
            "label": RequestKind.CANCELLATION.label,
            "help": KIND_HELP[RequestKind.CANCELLATION],
            "url": _cancel_url(),
            "open": open_kinds.get(RequestKind.CANCELLATION),
        }
    )
    kinds.append(
        {
            "code": RequestKind.COMPLAINT,
            "label": RequestKind.COMPLAINT.label,
            "help": KIND_HELP[RequestKind.COMPLAINT],
            "url": reverse("privacy_requests:complaint"),
            "open": open_kinds.get(RequestKind.COMPLAINT),
        }
    )
    return render(request, "privacy_requests/list.html", {"rows": rows, "kinds": kinds})


def _file(request, *, form, kind: str, user, identity_check, contact_email: str = ""):
    """Create the request (a consent withdrawal is completed by the service at once).

    Returns (request, None), or (None, the open request) for a duplicate, or
    (None, None) with the problem added to ``form``.
    """
    try:
        privacy_request = services.privacy_request_create(
            requester=user,
            kind=kind,
            details=form.details(),
            channel=RequestChannel.WEB,
            identity_check=identity_check,
            contact_email=contact_email,
        )
    except services.DuplicateRequest as duplicate:
        return None, duplicate.open_request
    except ExportQuotaExceeded as refused:
        form.add_error(None, refused.message)
        return None, None
    return privacy_request, None


@login_required
@require_recent_verification(minutes=STEP_UP_MINUTES)
def request_new(request, kind: str):
    if kind == RequestKind.CANCELLATION:
        return redirect(_cancel_url())
    if kind == RequestKind.COMPLAINT:
        return redirect("privacy_requests:complaint")
    if kind not in NEW_KINDS:
        raise Http404
    form_class = FORMS[kind]
    open_request = selectors.open_request_of_kind(user=request.user, kind=kind)
    form = form_class(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and open_request is None and not form.is_valid() and _covers_account(form):
        return redirect("privacy_requests:deletion_account")
    if request.method == "POST" and open_request is None and form.is_valid():
        check = step_up_recent(request=request, minutes=STEP_UP_MINUTES)
        created, open_request = _file(request, form=form, kind=kind, user=request.user, identity_check=check)
        if created is not None:
            if created.state == "completed":
                messages.success(
                    request,
                    _("Done: your consent is withdrawn. Reference %(reference)s.") % {"reference": created.reference},
                )
            else:
                messages.success(
                    request,
                    _("We received your request %(reference)s. We will answer by %(date)s.")
                    % {"reference": created.reference, "date": created.due_date},
                )
            return redirect("privacy_requests:detail", created.pk)
    return render(
        request,
        "privacy_requests/new.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": RequestKind(kind).label,
            "kind_help": KIND_HELP[kind],
            "open_request": open_request,
            "no_choices": kind == RequestKind.WITHDRAWAL and not form.fields["purposes"].choices,
        },
    )


def _covers_account(form) -> bool:
    return isinstance(form, DeletionForm) and form.covers_account()


@login_required
@require_recent_verification(minutes=STEP_UP_MINUTES)
def deletion_account(request):
    """A deletion that would close the account: explained, then on to cancellation (or everything else)."""
    from personal_data.registry import personal_data_categories

    from .cancellation.outcome_links import outcome_link_days
    from .cancellation.services import cooling_off_days
    from .fulfilment.deletion import ACCOUNT_CATEGORIES

    return render(
        request,
        "privacy_requests/deletion_account.html",
        {
            "cooling_off_days": cooling_off_days(),
            "outcome_link_days": outcome_link_days(),
            "other_categories": [
                entry.code for entry in personal_data_categories() if entry.code not in ACCOUNT_CATEGORIES
            ],
        },
    )


def _client_key(request) -> str:
    from allauth.account.adapter import get_adapter

    try:
        ip = get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no usable address: such visitors share one bucket
        ip = ""
    return f"privacy_requests:anonymous_complaints:{ip}"


def complaint(request):
    """Complaint or question (clause 10): signed-in people pass the step-up; visitors leave an address."""
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        response = step_up_required_response(request, minutes=STEP_UP_MINUTES)
        if response is not None:
            return response
    form = ComplaintForm(request.POST if request.method == "POST" else None, user=user)
    open_request = selectors.open_request_of_kind(user=user, kind=RequestKind.COMPLAINT) if user else None
    if request.method == "POST" and open_request is None and form.is_valid():
        if user is None:
            key = _client_key(request)
            cache.add(key, 0, timeout=3600)
            if cache.incr(key) > ANONYMOUS_COMPLAINTS_PER_HOUR:
                form.add_error(None, _("Too many messages from your connection. Try again in an hour or call 12345."))
                return render(request, "privacy_requests/complaint.html", {"form": form}, status=429)
        check = step_up_recent(request=request, minutes=STEP_UP_MINUTES) if user else None
        created, open_request = _file(
            request,
            form=form,
            kind=RequestKind.COMPLAINT,
            user=user,
            identity_check=check,
            contact_email=form.cleaned_data.get("contact_email", ""),
        )
        if created is not None:
            if user is not None:
                messages.success(
                    request,
                    _("We received your message %(reference)s. We will answer by %(date)s.")
                    % {"reference": created.reference, "date": created.due_date},
                )
                return redirect("privacy_requests:detail", created.pk)
            return render(request, "privacy_requests/complaint_received.html", {"privacy_request": created})
    return render(request, "privacy_requests/complaint.html", {"form": form, "open_request": open_request})


def _details_display(privacy_request) -> list[tuple[str, str]]:
    """What the citizen asked, as (label, value) lines; their own data, shown to them only."""
    details = services.request_details(privacy_request)
    rows: list[tuple[str, str]] = []
    if privacy_request.kind == RequestKind.CORRECTION and details.get("field"):
        from accounts.identity.forms import FIELD_LABELS

        rows.append((_("Which detail"), str(FIELD_LABELS.get(details["field"], details["field"]))))
        rows.append((_("The correct value"), details.get("new_value", "")))
        rows.append((_("Why"), details.get("reason", "")))
    if details.get("purposes"):
        from consents.models import Purpose

        names = {p.code: p.name for p in Purpose.objects.filter(code__in=details["purposes"])}
        rows.append((_("Uses withdrawn"), ", ".join(names.get(code, code) for code in details["purposes"])))
    if details.get("categories"):
        labels = _category_labels()
        rows.append((_("What to delete"), ", ".join(labels.get(code, code) for code in details["categories"])))
    if details.get("subject"):
        rows.append((_("Subject"), details["subject"]))
    if details.get("message"):
        rows.append((_("Your message"), details["message"]))
    if details.get("note"):
        rows.append((_("Your note"), details["note"]))
    return rows


def _category_labels() -> dict[str, str]:
    from personal_data.registry import personal_data_categories

    return {entry.code: str(entry.label) for entry in personal_data_categories()}


def _outcome_rows(privacy_request) -> list[dict]:
    outcomes = list(privacy_request.outcomes.all())
    if not outcomes:
        return []
    labels = _category_labels()
    return [{"label": labels.get(o.category, o.category), "outcome": o} for o in outcomes]


@login_required
def request_detail(request, request_id: int):
    privacy_request = selectors.access_privacy_request(user=request.user, request_id=request_id)
    timeline = [
        {"event": event, "label": EVENT_LABELS.get(event.action, event.action)}
        for event in selectors.citizen_timeline(request=privacy_request)
    ]
    is_open = selectors.is_open(privacy_request)
    return render(
        request,
        "privacy_requests/detail.html",
        {
            "privacy_request": privacy_request,
            "details": services.request_details(privacy_request),
            "flags": selectors.deadline_flags(privacy_request),
            "timeline": timeline,
            "thread": privacy_request.messages.select_related("author"),
            "outcome_rows": _outcome_rows(privacy_request),
            "details_display": _details_display(privacy_request),
            "is_open": is_open,
            "reply_form": ReplyForm() if is_open else None,
            "export_panel": privacy_request.kind in (RequestKind.ACCESS, RequestKind.EXPORT),
            "propagation_rows": propagation_selectors.propagation_rows(request=privacy_request),
            "cancel_url": _cancel_url(),
        },
    )


@login_required
@require_POST
def request_reply(request, request_id: int):
    privacy_request = selectors.access_privacy_request(user=request.user, request_id=request_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.privacy_request_message(
                request=privacy_request, author=request.user, body=form.cleaned_data["body"], from_staff=False
            )
        except services.TransitionNotAllowed as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your reply was sent."))
    else:
        for error in form.errors.get("body", []):
            messages.error(request, _("Your reply: %(problem)s") % {"problem": error})
    return redirect("privacy_requests:detail", privacy_request.pk)


@login_required
def request_withdraw(request, request_id: int):
    privacy_request = selectors.access_privacy_request(user=request.user, request_id=request_id)
    if request.method == "POST":
        try:
            services.privacy_request_withdraw(request=privacy_request, actor=request.user)
        except services.TransitionNotAllowed as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Your request %(reference)s is withdrawn.") % {"reference": privacy_request.reference}
            )
        return redirect("privacy_requests:detail", privacy_request.pk)
    if not selectors.is_open(privacy_request):
        return redirect("privacy_requests:detail", privacy_request.pk)
    return render(request, "privacy_requests/withdraw.html", {"privacy_request": privacy_request})
