"""Rights requests in admin: the staff queue, one request's page with its buttons, and the holiday calendar.

Nothing here sets a request's state: every button and action posts to a
view that calls ``privacy_requests.services`` (which checks the transition,
writes the timeline event and the audit record, and tells the citizen).
The request's page is read-only; the citizen's identity appears masked,
and staff who need a full value use the audited reveal on the identity
profile. Staff without ``change_privacyrequest`` (auditors) see everything
and no buttons, and are refused any POST.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import F
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.staff.masked_fields import masked_value
from core.admin_mixins import ReadOnlyAdminMixin
from core.logging import mask_personal_data
from core.masking import mask_email, mask_name

from . import services
from .erasure_propagation import admin as propagation_admin
from .erasure_propagation.selectors import propagation_annotate
from .models import CalendarDay, ExportFile, PrivacyRequest
from .notes import views as note_views
from .notes.selectors import notes_for_staff
from .staff import bulk as staff_bulk
from .staff import forms as staff_forms
from .staff import selectors as staff_selectors
from .staff import views as staff_views

CHANGE_PERMISSION = "privacy_requests.change_privacyrequest"


def _deadline_window(request) -> tuple:
    """Today and the last "due soon" day, computed once per admin request."""
    if not hasattr(request, "_privacy_deadline_window"):
        today = timezone.localdate()
        request._privacy_deadline_window = (today, staff_selectors.due_soon_limit(today=today))
    return request._privacy_deadline_window


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        today, _limit = _deadline_window(request)
        if self.value() == "yes":
            return queryset.filter(staff_selectors.overdue_q(today=today))
        if self.value() == "no":
            return queryset.exclude(staff_selectors.overdue_q(today=today))
        return queryset


class DueSoonFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("soon", _("Within 3 working days"))]

    def queryset(self, request, queryset):
        if self.value() == "soon":
            today, limit = _deadline_window(request)
            return queryset.filter(staff_selectors.due_soon_q(today=today, limit=limit))
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("none", _("Unassigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = _("open or closed")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("no", _("Closed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(state__in=staff_selectors.OPEN_STATES)
        if self.value() == "no":
            return queryset.exclude(state__in=staff_selectors.OPEN_STATES)
        return queryset


class ProposalFilter(admin.SimpleListFilter):
    """The second officer's view: proposals waiting for someone else to confirm them."""

    title = _("proposal")
    parameter_name = "proposal"

    def lookups(self, request, model_admin):
        return [("others", _("Proposed by others: to confirm")), ("mine", _("Proposed by me"))]

    def queryset(self, request, queryset):
        waiting = queryset.exclude(proposed_action="")
        if self.value() == "others":
            return waiting.exclude(proposed_by=request.user)
        if self.value() == "mine":
            return waiting.filter(proposed_by=request.user)
        return queryset


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    list_display = ("reference", "kind", "state", "due", "paused", "assignee", "channel", "erasure_by_services")
    list_display_links = ("reference",)
    list_filter = (
        "kind",
        "state",
        OpenFilter,
        OverdueFilter,
        DueSoonFilter,
        AssignedFilter,
        ProposalFilter,
        propagation_admin.PropagationFilter,
    )
    list_select_related = ("assigned_to",)
    search_fields = ("=reference",)
    search_help_text = _("A request's reference, e.g. PR-2026-000123.")
    show_full_result_count = False
    actions = ["assign_to_me", "assign_to", "propose_decision", "confirm_proposals"]
    change_form_template = "admin/privacy_requests/privacyrequest/change_form.html"
    change_list_template = "admin/privacy_requests/privacyrequest/change_list.html"
    # The encrypted fields (details, contact email) and the requester's
    # account are not listed: the page shows them masked (see below).
    fieldsets = (
        (None, {"fields": ("reference", "kind", "state", "channel", "received_at", "closed_at")}),
        (_("Erasure by services"), {"fields": ("propagation", "fully_done_at")}),
        # The due date appears once: deadline_flag shows it with its overdue / due-soon flag.
        (_("Deadline"), {"fields": ("verified_at", "deadline_flag", "escalation", "extension_reason", "pause")}),
        (_("Citizen (masked)"), {"fields": ("citizen_identity",)}),
        (_("Identity check"), {"fields": ("entered_by", "identity_check", "identity_check_note")}),
        (_("What is asked"), {"fields": ("details_masked",)}),
        (_("Handling"), {"fields": ("assignee", "proposal", "refusal", "answer")}),
    )
    readonly_fields = (
        "reference",
        "kind",
        "state",
        "channel",
        "received_at",
        "closed_at",
        "propagation",
        "fully_done_at",
        "verified_at",
        "due_date",
        "deadline_flag",
        "escalation",
        "extension_reason",
        "pause",
        "citizen_identity",
        "entered_by",
        "identity_check",
        "identity_check_note",
        "details_masked",
        "assignee",
        "proposal",
        "refusal",
        "answer",
    )

    # -- Permissions: a read-only page; buttons for those who may change requests

    def has_add_permission(self, request):
        # Requests are filed by citizens, or by staff on the phone/counter page.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            # The page itself is read-only for everyone: changes are the buttons.
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def may_act(self, request, obj=None) -> bool:
        return request.user.has_perm(CHANGE_PERMISSION)

    def get_ordering(self, request):
        # Open requests first, by due date: overdue ones at the top, then those
        # due soon. (Here rather than in ``ordering``: "is_open" is an annotation.)
        return (F("is_open").asc(), F("due_date").asc(nulls_last=True), F("received_at").asc())

    def get_queryset(self, request):
        today, limit = _deadline_window(request)
        queryset = staff_selectors.queue_annotate(super().get_queryset(request), today=today, limit=limit)
        return propagation_annotate(queryset, now=timezone.now())

    # -- The list's columns

    @admin.display(description=_("due date"), ordering="due_date")
    def due(self, obj):
        if obj.due_date is None:
            return self.get_empty_value_display()
        due = date_format(obj.due_date)
        if obj.is_overdue:
            return format_html('{} <strong class="request-overdue">{}</strong>', due, _("overdue"))
        if obj.is_due_soon:
            return format_html('{} <strong class="request-due-soon">{}</strong>', due, _("due within 3 working days"))
        return due

    @admin.display(description=_("erasure by services"))
    def erasure_by_services(self, obj):
        return propagation_admin.services_column(obj)

    @admin.display(description=_("assigned to"), ordering="assigned_to__username")
    def assignee(self, obj):
        # Staff by username: the user's own display would be an id, and no one's email is shown.
        return obj.assigned_to.get_username() if obj.assigned_to else self.get_empty_value_display()

    @admin.display(description=_("entered by staff member"))
    def entered_by(self, obj):
        return obj.filed_by.get_username() if obj.filed_by else _("the citizen, online")

    @admin.display(description=_("waiting for the citizen"), boolean=True)
    def paused(self, obj):
        return obj.paused_since is not None

    # -- The request's page (read-only displays)

    @admin.display(description=_("deadline"))
    def deadline_flag(self, obj):
        return self.due(obj)

    @admin.display(description=_("escalated"))
    def escalation(self, obj):
        if obj.escalated_at is None:
            return _("No")
        return _("Overdue: escalated to the privacy officers on %(date)s") % {
            "date": date_format(timezone.localtime(obj.escalated_at), "DATETIME_FORMAT")
        }

    @admin.display(description=_("clock"))
    def pause(self, obj):
        if obj.state not in staff_selectors.OPEN_STATES:
            if obj.closed_at is None:
                return _("Stopped (%(state)s)") % {"state": obj.get_state_display()}
            return _("Stopped (%(state)s) on %(date)s") % {
                "state": obj.get_state_display(),
                "date": date_format(timezone.localtime(obj.closed_at), "DATETIME_FORMAT"),
            }
        if obj.paused_since is not None:
            return _("Paused since %(since)s, waiting for the citizen's answer") % {
                "since": date_format(timezone.localtime(obj.paused_since), "DATETIME_FORMAT")
            }
        return _("Running (%(days)d working days spent waiting so far)") % {"days": obj.paused_working_days}

    @admin.display(description=_("citizen"))
    def citizen_identity(self, obj):
        citizen = obj.requester
        if citizen is None:
            if obj.contact_email:
                return format_html("{}: {}", _("anonymous, answer to"), mask_email(obj.contact_email))
            return self.get_empty_value_display()
        profile = getattr(citizen, "identity", None)
        rows = [
            (_("user id"), citizen.pk),
            (_("name"), mask_name(f"{citizen.last_name}{citizen.first_name}") or "-"),
            (_("email address"), masked_value(citizen, "email") or "-"),
            (_("mobile number"), masked_value(citizen, "phone") or "-"),
        ]
        if profile is not None:
            rows += [
                (_("legal name"), masked_value(profile, "legal_name") or "-"),
                (_("resident ID number"), masked_value(profile, "id_number") or "-"),
                (_("verification level"), profile.get_verification_level_display()),
            ]
        items = format_html("".join("<dt>{}</dt><dd>{}</dd>" for _row in rows), *[part for row in rows for part in row])
        link = ""
        if profile is not None:
            url = reverse(f"{self.admin_site.name}:accounts_identityprofile_change", args=[profile.pk])
            link = format_html(
                '<p class="help"><a href="{}">{}</a></p>',
                url,
                _("Identity profile (a full value is revealed there, with a reason, and audited)"),
            )
        return format_html('<dl class="masked-identity">{}</dl>{}', items, link)

    @admin.display(description=_("details"))
    def details_masked(self, obj):
        try:
            details = json.loads(obj.details or "{}")
        except ValueError:
            details = {}
        if not isinstance(details, dict) or not details:
            return self.get_empty_value_display()
        rows = [
            (str(key), mask_personal_data(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)))
            for key, value in sorted(details.items())
        ]
        return format_html(
            '<dl class="request-details">{}</dl>',
            format_html("".join("<dt>{}</dt><dd>{}</dd>" for _row in rows), *[part for row in rows for part in row]),
        )

    @admin.display(description=_("proposal waiting for a second staff member"))
    def proposal(self, obj):
        if not obj.proposed_action:
            return self.get_empty_value_display()
        labels = {"refuse": _("Refusal"), "delete": _("Deletion"), "complete": _("Completion")}
        summary = _("%(action)s proposed by %(who)s at %(when)s") % {
            "action": labels.get(obj.proposed_action, obj.proposed_action),
            "who": obj.proposed_by.get_username() if obj.proposed_by else "-",
            "when": date_format(timezone.localtime(obj.proposed_at), "DATETIME_FORMAT") if obj.proposed_at else "-",
        }
        if not obj.proposed_answer:
            return summary
        # What the second officer confirms is also what the citizen will read.
        return format_html(
            '{}<div class="proposed-answer"><strong>{}</strong> {}</div>',
            summary,
            _("Answer to the citizen:"),
            obj.proposed_answer,
        )

    @admin.display(description=_("refusal"))
    def refusal(self, obj):
        if not obj.refusal_reason:
            return self.get_empty_value_display()
        return format_html("{}: {}", obj.get_refusal_reason_display(), obj.refusal_explanation)

    def get_object(self, request, object_id, from_field=None):
        # One query for the request and everything its page shows beside it.
        queryset = self.get_queryset(request).select_related(
            "requester__identity", "assigned_to", "filed_by", "proposed_by", "identity_check"
        )
        field = self.model._meta.pk if from_field is None else self.model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValidationError, ValueError):
            return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if obj is not None and self.has_view_permission(request, obj):
            may_act = self.may_act(request, obj)
            buttons = []
            if may_act:
                for action in staff_views.actions_for(privacy_request=obj, user=request.user):
                    buttons.append(
                        {
                            "action": action,
                            "form": action.form_class(prefix=action.code),
                            "url": reverse(
                                f"{self.admin_site.name}:privacy_requests_privacyrequest_action",
                                args=[obj.pk, action.code],
                            ),
                        }
                    )
            extra.update(
                {
                    "may_act": may_act,
                    "buttons": buttons,
                    "timeline": staff_selectors.staff_timeline(request=obj),
                    "request_messages": [
                        (message, mask_personal_data(message.body)) for message in obj.messages.select_related("author")
                    ],
                    "outcomes": obj.outcomes.all(),
                    "notes": notes_for_staff(request=obj),
                    "note_form": (
                        staff_forms.NoteForm(prefix="note")
                        if note_views.may_add_note(model_admin=self, request=request, obj=obj)
                        else None
                    ),
                    "note_add_url": reverse(
                        f"{self.admin_site.name}:privacy_requests_privacyrequest_note_add", args=[obj.pk]
                    ),
                    **propagation_admin.change_view_context(
                        request=request, obj=obj, admin_site_name=self.admin_site.name
                    ),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def changelist_view(self, request, extra_context=None):
        extra = dict(extra_context or {})
        extra["staff_entry_url"] = (
            reverse(f"{self.admin_site.name}:privacy_requests_privacyrequest_staff_entry")
            if request.user.has_perm(staff_views.ADD_PERMISSION)
            else None
        )
        extra["cancel_on_behalf_url"] = (
            staff_views.cancellation_url(self) if request.user.has_perm(staff_views.ADD_PERMISSION) else None
        )
        extra["summary_url"] = (
            reverse(f"{self.admin_site.name}:privacy_requests_privacyrequest_summary")
            if staff_selectors.is_privacy_officer(request.user)
            else None
        )
        return super().changelist_view(request, extra_context=extra)

    # -- Pages of their own

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        urls = [
            path("summary/", view(self.summary_view), name=f"{prefix}_summary"),
            path("enter/", view(self.staff_entry_view), name=f"{prefix}_staff_entry"),
            path("cancel-on-behalf/", view(self.cancel_on_behalf_view), name=f"{prefix}_cancel_on_behalf"),
            path("<path:object_id>/act/<str:action>/", view(self.action_view), name=f"{prefix}_action"),
            path("<path:object_id>/notes/add/", view(self.note_add_view), name=f"{prefix}_note_add"),
            path(
                "<path:object_id>/close-propagation/",
                view(self.close_propagation_view),
                name=f"{prefix}_close_propagation",
            ),
        ]
        # Before the ModelAdmin's own patterns: "<path:object_id>/" would swallow these.
        return [*urls, *super().get_urls()]

    def summary_view(self, request):
        return staff_views.summary(request, model_admin=self)

    def staff_entry_view(self, request):
        return staff_views.staff_entry(request, model_admin=self)

    def cancel_on_behalf_view(self, request):
        return staff_views.cancellation_on_behalf(request, model_admin=self)

    def action_view(self, request, object_id, action):
        return staff_views.request_action(request, model_admin=self, object_id=object_id, action=action)

    def note_add_view(self, request, object_id):
        return note_views.note_add(request, model_admin=self, object_id=object_id)

    def close_propagation_view(self, request, object_id):
        return propagation_admin.close_propagation_view(request, model_admin=self, object_id=object_id)

    # -- Actions on the list

    def _assign_all(self, request, queryset, assignee) -> int:
        done = 0
        for privacy_request in queryset:
            try:
                services.privacy_request_assign(request=privacy_request, actor=request.user, assignee=assignee)
            except services.TransitionNotAllowed as error:
                self.message_user(request, f"{privacy_request.reference}: {error.message}", messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        done = self._assign_all(request, queryset, request.user)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d request assigned to you.", "%(count)d requests assigned to you.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Assign to…"), permissions=["change"])
    def assign_to(self, request, queryset):
        form = staff_forms.AssignForm(request.POST if "assignee" in request.POST else None)
        if form.is_bound and form.is_valid():
            assignee = form.cleaned_data["assignee"]
            done = self._assign_all(request, queryset, assignee)
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)d request assigned to %(who)s.", "%(count)d requests assigned to %(who)s.", done)
                    % {"count": done, "who": assignee.get_username()},
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/privacy_requests/privacyrequest/assign_to.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Assign rights requests"),
                "opts": self.model._meta,
                "form": form,
                "requests": list(queryset),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Propose a decision (approve or refuse)…"), permissions=["change"])
    def propose_decision(self, request, queryset):
        return staff_bulk.propose_decision(self, request, queryset)

    @admin.action(description=_("Confirm the proposed decisions…"), permissions=["change"])
    def confirm_proposals(self, request, queryset):
        return staff_bulk.confirm_proposals(self, request, queryset)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Public holidays and make-up working days: the deadlines count working days from this table."""

    list_display = ("date", "kind", "name_zh", "name_en")
    list_filter = ("kind",)
    search_fields = ("name_zh", "name_en")
    date_hierarchy = "date"


@admin.register(ExportFile)
class ExportFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Where each export stands; the file itself is only for its owner to download."""

    list_display = ("id", "request", "state", "progress", "size_bytes", "ready_at", "expires_at", "downloaded_at")
    list_filter = ("state",)
    list_select_related = ("request",)
    fields = list_display[1:] + ("attempts", "created_at")
    readonly_fields = fields
