"""Consents in admin: the catalogue privacy officers maintain, and read-only records.

Privacy officers manage purposes, partners, policy versions and optional
services. Widening a purpose (new data categories or partners) goes through
``purpose_widen``, never a plain save, so older consents stop covering it.
A policy version is written as a draft and published with the "publish"
action, which queues its announcement; once published, its text is fixed.
The ledger, the current states, what was shown, enrolments and level-3
checks are written by services only; they show ids and codes, never a
person's values. Staff record an in-person check at a service counter on
its own page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.staff.admin_mixins import ReadOnlyAdminMixin

from . import services as consent_services
from .models import (
    ConsentEvent,
    ConsentState,
    DataCategory,
    OptionalService,
    Partner,
    PolicyDisplay,
    PolicyVersion,
    Purpose,
    ServiceEnrolment,
    StrongVerification,
)
from .policy_acceptance import services as policy_services
from .strong_verification import services as verification_services
from .strong_verification.forms import CounterCheckForm

# -- The catalogue --------------------------------------------------------------


@admin.register(DataCategory)
class DataCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "sensitive")
    list_filter = ("sensitive",)
    search_fields = ("code", "name_zh", "name_en")


class PurposeForm(forms.ModelForm):
    partners = forms.ModelMultipleChoiceField(
        label=_("partners"),
        queryset=Partner.objects.all(),
        required=False,
        widget=widgets.FilteredSelectMultiple(_("partners"), is_stacked=False),
        help_text=_("Organisations that receive data for this purpose."),
    )

    class Meta:
        model = Purpose
        fields = [
            "code",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "kind",
            "sensitive",
            "legal_basis",
            "data_categories",
            "partners",
            "active",
            "display_order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["partners"] = list(self.instance.partners.values_list("pk", flat=True))


@admin.register(Purpose)
class PurposeAdmin(admin.ModelAdmin):
    form = PurposeForm
    list_display = ("code", "name_zh", "kind", "sensitive", "legal_basis", "version", "active", "display_order")
    list_filter = ("kind", "sensitive", "legal_basis", "active")
    search_fields = ("code", "name_zh", "name_en")
    filter_horizontal = ("data_categories",)
    readonly_fields = ("version", "created_at")

    def get_readonly_fields(self, request, obj=None):
        # The code is what other services and the ledger refer to.
        return (*self.readonly_fields, "code") if obj else self.readonly_fields

    def save_related(self, request, form, formsets, change):
        """Narrowing applies at once; widening goes through ``purpose_widen`` (the version goes up)."""
        purpose = form.instance
        categories = set(form.cleaned_data.get("data_categories") or [])
        partners = set(form.cleaned_data.get("partners") or [])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        if not change:
            # A new purpose has no consents yet: nothing to invalidate.
            purpose.data_categories.set(categories)
            for partner in partners:
                partner.purposes.add(purpose)
            return
        current_categories = set(purpose.data_categories.all())
        current_partners = set(purpose.partners.all())
        if current_categories - categories:
            purpose.data_categories.remove(*(current_categories - categories))
        for partner in current_partners - partners:
            partner.purposes.remove(purpose)
        added_categories = categories - current_categories
        added_partners = partners - current_partners
        if added_categories or added_partners:
            widened = consent_services.purpose_widen(
                purpose=purpose,
                actor=request.user,
                data_categories=sorted(added_categories, key=lambda c: c.pk),
                partners=sorted(added_partners, key=lambda p: p.pk),
            )
            form.instance.version = widened.version
            self.message_user(
                request,
                _(
                    "The purpose was widened (now version %(version)s): consents given before no longer cover it, "
                    "so each person is asked again."
                )
                % {"version": widened.version},
                messages.WARNING,
            )


class AgreementInForceFilter(admin.SimpleListFilter):
    title = _("agreement")
    parameter_name = "agreement"

    def lookups(self, request, model_admin):
        return [("in_force", _("In force")), ("expired", _("Expired"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "in_force":
            return queryset.filter(agreement_expires_on__gte=today)
        if self.value() == "expired":
            return queryset.filter(agreement_expires_on__lt=today)
        return queryset


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "agreement_reference", "agreement_expiry", "in_force")
    list_filter = (AgreementInForceFilter, "kind")
    search_fields = ("code", "name_zh", "name_en", "agreement_reference")
    filter_horizontal = ("purposes", "data_categories")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    @admin.display(description=_("agreement expires on"), ordering="agreement_expires_on")
    def agreement_expiry(self, obj):
        if obj.agreement_in_force():
            return obj.agreement_expires_on
        # Expired: nothing may be shared with this partner; make it stand out.
        return format_html('<strong class="agreement-expired">{} ({})</strong>', obj.agreement_expires_on, _("expired"))

    @admin.display(description=_("agreement in force"), boolean=True)
    def in_force(self, obj):
        return obj.agreement_in_force()

    def save_related(self, request, form, formsets, change):
        """Linking a purpose or sending more data widens purposes: older consents stop covering them."""
        partner = form.instance
        purposes = set(form.cleaned_data.get("purposes") or [])
        categories = set(form.cleaned_data.get("data_categories") or [])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        if not change:
            partner.data_categories.set(categories)
            for purpose in purposes:
                consent_services.purpose_widen(purpose=purpose, actor=request.user, partners=[partner])
            return
        current_purposes = set(partner.purposes.all())
        current_categories = set(partner.data_categories.all())
        if current_purposes - purposes:
            partner.purposes.remove(*(current_purposes - purposes))
        if current_categories - categories:
            partner.data_categories.remove(*(current_categories - categories))
        for purpose in sorted(purposes - current_purposes, key=lambda p: p.pk):
            consent_services.purpose_widen(purpose=purpose, actor=request.user, partners=[partner])
        consent_services.partner_widen(
            partner=partner,
            data_categories=sorted(categories - current_categories, key=lambda c: c.pk),
            actor=request.user,
        )


# -- Policy versions ----------------------------------------------------------------

POLICY_TEXT_FIELDS = ("version", "text_zh", "text_en", "summary_zh", "summary_en", "material", "effective_at")


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = list(POLICY_TEXT_FIELDS)

    def clean_effective_at(self):
        effective_at = self.cleaned_data["effective_at"]
        if effective_at <= timezone.now():
            raise ValidationError(
                _("Choose a future date: people must be told of a new version before it takes effect."),
                code="past",
            )
        return effective_at


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ("version", "material", "publication", "effective_at")
    list_filter = ("material",)
    search_fields = ("version",)
    actions = ["publish"]
    ordering = ("-effective_at",)

    @admin.display(description=_("published"))
    def publication(self, obj):
        if policy_services.policy_is_draft(version=obj):
            return _("Draft (not published)")
        return obj.published_at

    def get_readonly_fields(self, request, obj=None):
        # What people were shown and accepted never changes afterwards.
        if obj is not None and not policy_services.policy_is_draft(version=obj):
            return (*POLICY_TEXT_FIELDS, "published_at")
        return ()

    def get_fields(self, request, obj=None):
        if obj is not None and not policy_services.policy_is_draft(version=obj):
            return (*POLICY_TEXT_FIELDS, "published_at")
        return POLICY_TEXT_FIELDS

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not policy_services.policy_is_draft(version=obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Publish and announce to every citizen"), permissions=["change"])
    def publish(self, request, queryset):
        versions = list(queryset.order_by("effective_at"))
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/consents/policyversion/publish_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Publish policy versions"),
                    "opts": self.model._meta,
                    "versions": versions,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        published = 0
        for version in versions:
            if policy_services.policy_is_draft(version=version) and version.effective_at <= timezone.now():
                self.message_user(
                    request,
                    _("Version %(version)s was not published: its effective date has passed. Set a future date.")
                    % {"version": version.version},
                    messages.ERROR,
                )
                continue
            policy_services.policy_publish(version=version, actor=request.user)
            published += 1
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d version published; its announcement is being written to every citizen's inbox "
                    "and email outbox.",
                    "%(count)d versions published; their announcements are being written to every citizen's "
                    "inbox and email outbox.",
                    published,
                )
                % {"count": published},
                messages.SUCCESS,
            )
        return None


# -- Records written by services (read-only) ------------------------------------------


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: append-only; a person appears by id only."""

    list_display = (
        "created_at",
        "subject_id_display",
        "seq",
        "purpose",
        "purpose_version",
        "partner",
        "action",
        "channel",
        "policy_version",
        "actor_id_display",
    )
    list_filter = ("action", "channel", "purpose")
    list_select_related = ("purpose", "partner", "policy_version")
    search_fields = ("=subject__id", "=subject_ref")
    search_help_text = _("A person's user id, or the subject reference of a chain.")
    show_full_result_count = False
    fields = (
        "subject_ref",
        "seq",
        "subject_id_display",
        "purpose",
        "purpose_version",
        "partner",
        "action",
        "policy_version",
        "channel",
        "actor_id_display",
        "created_at",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="subject_id")
    def subject_id_display(self, obj):
        return obj.subject_id if obj.subject_id is not None else _("anonymised")

    @admin.display(description=_("given by (user id)"))
    def actor_id_display(self, obj):
        return obj.actor_id


@admin.register(ConsentState)
class ConsentStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What each person has agreed to now, by user id."""

    list_display = (
        "subject_id_display",
        "purpose",
        "partner",
        "granted",
        "purpose_version",
        "policy_version",
        "channel",
        "by_guardian",
        "updated_at",
    )
    list_filter = ("granted", "by_guardian", "channel", "purpose")
    list_select_related = ("purpose", "partner", "policy_version")
    search_fields = ("=subject__id",)
    search_help_text = _("A person's user id.")
    show_full_result_count = False
    fields = (
        "subject_id_display",
        "purpose",
        "partner",
        "granted",
        "purpose_version",
        "policy_version",
        "channel",
        "by_guardian",
        "event",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="subject_id")
    def subject_id_display(self, obj):
        return obj.subject_id


@admin.register(PolicyDisplay)
class PolicyDisplayAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("shown_at", "subject_id_display", "policy_version", "purpose", "context")
    list_filter = ("context", "policy_version")
    list_select_related = ("policy_version", "purpose")
    search_fields = ("=subject__id",)
    show_full_result_count = False
    fields = ("subject_id_display", "policy_version", "purpose", "context", "shown_at")
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="subject_id")
    def subject_id_display(self, obj):
        return obj.subject_id


# -- Optional services ------------------------------------------------------------------


class OptionalServiceForm(forms.ModelForm):
    class Meta:
        model = OptionalService
        fields = ["code", "name_zh", "name_en", "purpose", "required_fields", "active"]

    def clean_required_fields(self):
        fields = self.cleaned_data["required_fields"]
        problem = _(
            'Give a list of {"name": …, "label_zh": …, "label_en": …} (optionally "max_length"), '
            "each name a distinct lower-case identifier."
        )
        if not isinstance(fields, list) or not fields:
            raise ValidationError(problem, code="invalid")
        names = set()
        for spec in fields:
            if not isinstance(spec, dict) or not {"name", "label_zh", "label_en"} <= set(spec):
                raise ValidationError(problem, code="invalid")
            name = spec["name"]
            if not isinstance(name, str) or not name.isidentifier() or name != name.lower() or name in names:
                raise ValidationError(problem, code="invalid")
            if "max_length" in spec and (not isinstance(spec["max_length"], int) or not 1 <= spec["max_length"] <= 500):
                raise ValidationError(_("max_length must be a whole number from 1 to 500."), code="invalid")
            names.add(name)
        return fields


@admin.register(OptionalService)
class OptionalServiceAdmin(admin.ModelAdmin):
    form = OptionalServiceForm
    list_display = ("code", "name_zh", "name_en", "purpose", "active")
    list_filter = ("active",)
    list_select_related = ("purpose",)
    search_fields = ("code", "name_zh", "name_en")

    def get_readonly_fields(self, request, obj=None):
        # Enrolments and the ledger refer to the service through its purpose.
        return ("code", "purpose") if obj else ()


@admin.register(ServiceEnrolment)
class ServiceEnrolmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who is in which service; the data given stays encrypted and is not shown here."""

    list_display = ("id", "user_id_display", "service", "state", "enrolled_at", "left_at", "data_delete_after")
    list_filter = ("state", "service")
    list_select_related = ("service",)
    search_fields = ("=user__id",)
    show_full_result_count = False
    fields = ("user_id_display", "service", "state", "enrolled_at", "left_at", "data_delete_after")
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="user_id")
    def user_id_display(self, obj):
        return obj.user_id


# -- Identity level 3 ------------------------------------------------------------------


@admin.register(StrongVerification)
class StrongVerificationAdmin(admin.ModelAdmin):
    """Level-3 checks. Staff add one only through the counter-check page; none is ever changed."""

    list_display = ("created_at", "user_id_display", "method", "outcome", "partner", "reference", "recorded_by_id")
    list_filter = ("method", "outcome")
    list_select_related = ("partner",)
    search_fields = ("=user__id", "=reference")
    show_full_result_count = False
    fields = ("user_id_display", "method", "outcome", "partner", "reference", "recorded_by_id", "created_at")
    readonly_fields = fields

    @admin.display(description=_("person (user id)"), ordering="user_id")
    def user_id_display(self, obj):
        return obj.user_id

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        opts = self.model._meta
        counter = path(
            "counter-check/",
            self.admin_site.admin_view(self.counter_check_view),
            name=f"{opts.app_label}_{opts.model_name}_counter_check",
        )
        return [counter, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        # The one way staff add a check is the counter page.
        opts = self.model._meta
        return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_counter_check")

    def counter_check_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        form = CounterCheckForm(request.POST or None)
        if form.is_bound and form.is_valid():
            try:
                check = verification_services.counter_check_record(user=form.profile.user, staff=request.user)
            except verification_services.StrongVerificationError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("Counter check recorded: user #%(user)s is now verified at level 3.") % {"user": check.user_id},
                    messages.SUCCESS,
                )
                return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record an in-person check at a service counter"),
            "opts": opts,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            "changelist_url": reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist"),
        }
        return TemplateResponse(
            request, "admin/consents/counter_check.html", context, status=400 if form.errors else 200
        )


from .disclosures import admin as disclosures_admin  # noqa: E402, F401 - registers DisclosureAdmin
