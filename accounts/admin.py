"""Accounts in admin: every personal field masked, revealed one at a time with a reason.

No encrypted field appears in a list, fieldset or form here: admin would
print it (read-only views) or pre-fill it (forms). Staff see the masked
displays below; the full value only on the audited reveal page. Records
that services write (verification attempts, sign-ins, guardian links,
step-up checks, identity profiles) are read-only for everyone.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_mixins import ReadOnlyAdminMixin
from core.masking import mask_id_number, mask_name

from .models import (
    GuardianLink,
    IdentityProfile,
    IdentityVerificationAttempt,
    LoginActivity,
    SandboxIdentity,
    StaffEnrolment,
    StepUpCheck,
    User,
)
from .staff import services as staff_services
from .staff.admin_mixins import NumberSearchAdminMixin, RevealableAdminMixin
from .staff.forms import SandboxIdentityForm
from .two_factor import enrolment

_NUMBER_SEARCH_HELP = _(
    "Enter a whole resident ID number or mobile number (found by its keyed hash), or a username or email address."
)


@admin.register(User)
class UserAdmin(NumberSearchAdminMixin, RevealableAdminMixin, DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal info"),
            {"fields": ("masked_name", "masked_email", "masked_phone", "phone_verified", "kind", "is_minor")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Preferences"), {"fields": ("language",)}),
    )
    # Email and names change through the person's own account pages (email
    # with a verification), the phone through the identity profile: admin
    # shows them masked and edits none of them.
    readonly_fields = (
        "masked_name",
        "masked_email",
        "masked_phone",
        "phone_verified",
        "kind",
        "is_minor",
        "last_login",
        "date_joined",
    )
    list_display = ("id", "username", "masked_email", "masked_phone", "kind", "is_staff", "is_active", "date_joined")
    list_filter = ("kind", "is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "=email")
    search_help_text = _NUMBER_SEARCH_HELP
    ordering = ("id",)
    id_number_hash_path = "identity__id_number_hash"
    phone_hash_path = "phone_hash"
    actions = ["issue_enrolment_link", "reset_second_factor"]

    def has_manage_staff_second_factor_permission(self, request) -> bool:
        return request.user.has_perm(enrolment.PERMISSION)

    def _for_each_staff_member(self, request, queryset, act) -> int:
        done = 0
        for staff_member in queryset:
            try:
                act(staff_member)
            except (PermissionDenied, enrolment.EnrolmentRefused) as exc:
                self.message_user(request, f"{staff_member.get_username()}: {exc}", messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(
        permissions=["manage_staff_second_factor"], description=_("Email an authenticator enrolment link (24 hours)")
    )
    def issue_enrolment_link(self, request, queryset):
        done = self._for_each_staff_member(
            request,
            queryset,
            lambda staff_member: enrolment.staff_enrolment_issue(staff_member=staff_member, issued_by=request.user),
        )
        if done:
            self.message_user(
                request,
                ngettext("%(count)d enrolment link sent.", "%(count)d enrolment links sent.", done) % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(permissions=["manage_staff_second_factor"], description=_("Reset the second factor (lost phone)"))
    def reset_second_factor(self, request, queryset):
        done = self._for_each_staff_member(
            request,
            queryset,
            lambda staff_member: enrolment.staff_second_factor_reset(staff_member=staff_member, actor=request.user),
        )
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d second factor reset; the person needs a new enrolment link.",
                    "%(count)d second factors reset; each person needs a new enrolment link.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        # Family name first, as on a Chinese ID card.
        return mask_name(f"{obj.last_name}{obj.first_name}") or self.get_empty_value_display()

    @admin.display(description=_("email address"))
    def masked_email(self, obj):
        return self.masked_with_reveal(obj, "email")

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj):
        return self.masked_with_reveal(obj, "phone")


@admin.register(IdentityProfile)
class IdentityProfileAdmin(NumberSearchAdminMixin, RevealableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "masked_legal_name",
        "masked_id_number",
        "verification_level",
        "identity_verified_at",
    )
    list_select_related = ("user",)
    list_filter = ("verification_level",)
    search_fields = ("=user__username", "=user__email", "=uscc")
    search_help_text = _NUMBER_SEARCH_HELP
    show_full_result_count = False
    phone_hash_path = "user__phone_hash"
    # The date of birth is left out on purpose: it is the middle of the ID
    # number, which the mask hides; "minor" says what staff need to know.
    fieldsets = (
        (None, {"fields": ("user", "minor", "verification_level", "verified_fields", "identity_verified_at")}),
        (_("Identity"), {"fields": ("masked_legal_name", "masked_id_number", "masked_bank_card")}),
        (
            _("Business registration"),
            {"fields": ("organisation_name", "uscc", "masked_legal_representative")},
        ),
        (None, {"fields": ("updated_at",)}),
    )
    readonly_fields = (
        "user",
        "minor",
        "verification_level",
        "verified_fields",
        "identity_verified_at",
        "masked_legal_name",
        "masked_id_number",
        "masked_bank_card",
        "organisation_name",
        "uscc",
        "masked_legal_representative",
        "updated_at",
    )

    @admin.display(description=_("minor under 14"), boolean=True)
    def minor(self, obj):
        return obj.user.is_minor

    @admin.display(description=_("legal name"))
    def masked_legal_name(self, obj):
        return self.masked_with_reveal(obj, "legal_name")

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return self.masked_with_reveal(obj, "id_number")

    @admin.display(description=_("bank card number"))
    def masked_bank_card(self, obj):
        return self.masked_with_reveal(obj, "bank_card")

    @admin.display(description=_("legal representative"))
    def masked_legal_representative(self, obj):
        return self.masked_with_reveal(obj, "legal_representative")


@admin.register(IdentityVerificationAttempt)
class IdentityVerificationAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "provider", "outcome", "reference", "created_at")
    list_filter = ("outcome", "provider")
    list_select_related = ("user",)
    show_full_result_count = False


@admin.register(LoginActivity)
class LoginActivityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "ip_prefix", "user_agent", "method")
    list_filter = ("method",)
    list_select_related = ("user",)
    show_full_result_count = False


@admin.register(GuardianLink)
class GuardianLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "guardian", "minor", "state", "created_at", "confirmed_at", "ended_at")
    list_filter = ("state",)
    list_select_related = ("guardian", "minor")
    fields = ("guardian", "minor", "state", "created_at", "confirmed_at", "ended_at")


@admin.register(StepUpCheck)
class StepUpCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "user", "method", "verified_at")
    list_filter = ("method",)
    list_select_related = ("user",)
    fields = ("user", "method", "verified_at")
    show_full_result_count = False


@admin.register(SandboxIdentity)
class SandboxIdentityAdmin(admin.ModelAdmin):
    """The sandbox provider's made-up people; privacy officers add them for testing.

    Their names are shown so testers can type them; their ID numbers are
    masked like everyone's, so the page teaches the same habit.
    """

    form = SandboxIdentityForm
    list_display = ("id", "legal_name", "masked_id_number", "behaviour", "note")
    list_filter = ("behaviour",)
    readonly_fields = ("masked_id_number",)

    def get_fields(self, request, obj=None):
        if obj is None or self.has_change_permission(request, obj):
            return ("legal_name", "id_number", "behaviour", "note")
        # View-only: admin would print a model field's value, so the masked one instead.
        return ("legal_name", "masked_id_number", "behaviour", "note")

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number) or self.get_empty_value_display()

    def save_model(self, request, obj, form, change):
        staff_services.sandbox_identity_save(
            identity=obj, id_number=form.cleaned_data.get("id_number") or None, actor=request.user
        )


# Deliveries have their own admin module; importing it registers it.
from .delivery import admin as delivery_admin  # noqa: E402, F401


@admin.register(StaffEnrolment)
class StaffEnrolmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who issued which link for whom, and when it was used; the secret itself is never kept."""

    list_display = ("id", "user", "issued_by", "issued_at", "expires_at", "used_at", "revoked_at")
    list_select_related = ("user", "issued_by")
    fields = ("user", "issued_by", "issued_at", "expires_at", "used_at", "revoked_at")


# Service clients (OAuth2): their admin lives with them.
from accounts.service_clients import admin as service_clients_admin  # noqa: E402, F401
