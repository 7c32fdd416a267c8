"""The disclosure ledger in admin, for privacy officers.

A disclosure is recorded on its own page through ``disclosure_record`` (the
rules and the audit record live there), and never changed or deleted
afterwards. Deferred notices whose review date has come are highlighted and
have their own filter; "Send the deferred notices now" releases them.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.staff.selectors import search_by_number
from consents.models import DataCategory, Disclosure, Partner, Purpose
from consents.models.disclosures import DisclosureBasis, DisclosureKind

from . import services

MAX_SUBJECTS = 100_000
# The service names its arguments; the form names its fields.
FORM_FIELD = {"subjects": "subject_ids", "recipient": None}


def _account_for(term: str):
    """The one account a search term names: a whole ID or mobile number, a username or an email."""
    users = get_user_model().objects.all()
    matched = search_by_number(
        users, term=term, id_number_hash_path="identity__id_number_hash", phone_hash_path="phone_hash"
    )
    if matched is None:
        matched = users.filter(username=term) | users.filter(email__iexact=term)
    found = list(matched.values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


class DisclosureRecordForm(forms.Form):
    recipient_partner = forms.ModelChoiceField(
        label=_("Recipient partner"),
        queryset=Partner.objects.all(),
        required=False,
        help_text=_("A partner whose agreement has expired cannot receive data."),
    )
    authority = forms.CharField(
        label=_("Or recipient authority"),
        max_length=200,
        required=False,
        help_text=_("A court, agency or other body that is not a partner, by name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DisclosureKind.choices)
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=DisclosureBasis.choices)
    purpose = forms.ModelChoiceField(
        label=_("Purpose"),
        queryset=Purpose.objects.all(),
        required=False,
        help_text=_("Required when the basis is consent: each person's consent to it is checked."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Data categories"),
        queryset=DataCategory.objects.all(),
        widget=widgets.FilteredSelectMultiple(_("data categories"), is_stacked=False),
    )
    subject_ids = forms.CharField(
        label=_("People (user ids)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("User ids separated by spaces, commas or new lines."),
    )
    accounts = forms.CharField(
        label=_("People (account search)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: a username, an email address, a mobile number or an ID number."),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("The request, order or agreement the disclosure answered."),
    )
    defer_notice = forms.BooleanField(
        label=_("The law defers telling the people concerned"),
        required=False,
    )
    defer_reason = forms.CharField(
        label=_("Legal reason for deferring"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    defer_review_date = forms.DateField(
        label=_("Review the deferral on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_subject_ids(self):
        raw = self.cleaned_data["subject_ids"]
        parts = [part for part in re.split(r"[\s,;]+", raw) if part]
        if not all(part.isdigit() for part in parts):
            raise ValidationError(_("User ids are whole numbers."), code="invalid")
        if len(parts) > MAX_SUBJECTS:
            raise ValidationError(_("Record at most %(max)d people at once.") % {"max": MAX_SUBJECTS}, code="invalid")
        return [int(part) for part in parts]

    def clean_accounts(self):
        terms = [line.strip() for line in self.cleaned_data["accounts"].splitlines() if line.strip()]
        ids, unmatched = [], 0
        for term in terms:
            found = _account_for(term)
            if found is None:
                unmatched += 1
            else:
                ids.append(found)
        if unmatched:
            # Counted, not echoed: the lines may be ID or mobile numbers.
            raise ValidationError(
                ngettext(
                    "%(count)d line does not name exactly one account.",
                    "%(count)d lines do not name exactly one account.",
                    unmatched,
                )
                % {"count": unmatched},
                code="unmatched",
            )
        return ids

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("subject_ids") or cleaned.get("accounts")):
            self.add_error("subject_ids", _("Name at least one person, by user id or by account search."))
        return cleaned


class NoticeFilter(admin.SimpleListFilter):
    title = _("notice")
    parameter_name = "notice"

    def lookups(self, request, model_admin):
        return [
            ("review_due", _("Deferred, review date reached")),
            ("deferred", _("Deferred")),
            ("released", _("Deferred, then released")),
            ("prompt", _("Sent promptly")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "review_due":
            return queryset.filter(
                notice_deferred=True,
                notice_released_at__isnull=True,
                defer_review_date__lte=timezone.localdate(),
            )
        if value == "deferred":
            return queryset.filter(notice_deferred=True, notice_released_at__isnull=True)
        if value == "released":
            return queryset.filter(notice_deferred=True, notice_released_at__isnull=False)
        if value == "prompt":
            return queryset.filter(notice_deferred=False)
        return queryset


class DisclosureAdmin(admin.ModelAdmin):
    """The ledger: recorded through its own page, then read-only; people appear by count only."""

    list_display = (
        "disclosed_at",
        "recipient",
        "kind",
        "legal_basis",
        "purpose",
        "subject_count",
        "notice",
        "recorded_by_id",
        "reference",
    )
    list_filter = (NoticeFilter, "kind", "legal_basis", "recipient_partner", "disclosed_at")
    list_select_related = ("recipient_partner", "purpose")
    search_fields = ("=id", "reference", "recipient_authority", "recipient_partner__code")
    date_hierarchy = "disclosed_at"
    actions = ["release_notices"]
    fields = (
        "disclosed_at",
        "recipient_partner",
        "recipient_authority",
        "kind",
        "legal_basis",
        "purpose",
        "categories",
        "subject_count",
        "recorded_by_id",
        "reference",
        "notice",
        "defer_reason",
        "defer_review_date",
        "notice_released_at",
    )
    readonly_fields = fields

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        return obj.recipient_partner.code if obj.recipient_partner_id else obj.recipient_authority

    @admin.display(description=_("data categories"))
    def categories(self, obj):
        return ", ".join(category.code for category in obj.data_categories.all())

    @admin.display(description=_("recorded by (user id)"))
    def recorded_by_id(self, obj):
        return obj.recorded_by_id

    @admin.display(description=_("notice"))
    def notice(self, obj):
        if not obj.notice_deferred:
            return _("Sent promptly")
        if obj.notice_released_at is not None:
            return _("Released")
        if obj.defer_review_date and obj.defer_review_date <= timezone.localdate():
            # Past its review date: the deferral must be looked at again now.
            return format_html(
                '<strong class="review-due" data-testid="review-due">{} ({})</strong>',
                _("Deferred: review due"),
                obj.defer_review_date,
            )
        return format_html("{} ({})", _("Deferred until review"), obj.defer_review_date)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_release_permission(self, request):
        # The "change" permission of the role matrix: privacy officers only.
        return request.user.has_perm("consents.change_disclosure")

    @admin.action(description=_("Send the deferred notices now"), permissions=["release"])
    def release_notices(self, request, queryset):
        released = 0
        for disclosure in queryset.filter(notice_deferred=True, notice_released_at__isnull=True):
            if services.disclosure_notice_release(disclosure=disclosure, actor=request.user):
                released += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d deferred notice released: the people concerned are being told.",
                "%(count)d deferred notices released: the people concerned are being told.",
                released,
            )
            % {"count": released},
            messages.SUCCESS if released else messages.WARNING,
        )

    def get_urls(self):
        opts = self.model._meta
        record = path(
            "record/",
            self.admin_site.admin_view(self.record_view),
            name=f"{opts.app_label}_{opts.model_name}_record",
        )
        return [record, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # The one way to add a disclosure is the record page (through the service).
        opts = self.model._meta
        return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_record")

    def record_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist_url = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        form = DisclosureRecordForm(request.POST or None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                disclosure = services.disclosure_record(
                    recipient_partner=data["recipient_partner"],
                    authority=data["authority"],
                    kind=data["kind"],
                    legal_basis=data["legal_basis"],
                    purpose=data["purpose"],
                    categories=data["categories"],
                    subjects=[*data["subject_ids"], *data["accounts"]],
                    recorded_by=request.user,
                    reference=data["reference"],
                    defer_notice=data["defer_notice"],
                    defer_reason=data["defer_reason"],
                    defer_review_date=data["defer_review_date"],
                )
            except services.DisclosureError as error:
                field = FORM_FIELD.get(error.field, error.field)
                form.add_error(field if field in form.fields else None, error.message)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Disclosure #%(id)s recorded for %(count)d person.",
                        "Disclosure #%(id)s recorded for %(count)d people.",
                        disclosure.subject_count,
                    )
                    % {"id": disclosure.pk, "count": disclosure.subject_count},
                    messages.SUCCESS,
                )
                return redirect(changelist_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a disclosure"),
            "opts": opts,
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request),
            "changelist_url": changelist_url,
        }
        return TemplateResponse(
            request, "consents/disclosures/admin_record.html", context, status=400 if form.errors else 200
        )


admin.site.register(Disclosure, DisclosureAdmin)
