"""Legal holds in admin: placed and lifted through the services, never edited or deleted."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import LegalHold


class ReviewFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "hold_state"

    def lookups(self, request, model_admin):
        return (
            ("past_review", _("Active, past its review date")),
            ("active", _("Active")),
            ("lifted", _("Lifted")),
        )

    def queryset(self, request, queryset):
        if self.value() == "past_review":
            return queryset.past_review()
        if self.value() == "active":
            return queryset.active()
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ("user", "category", "reason", "review_date")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            # A placed hold is read-only: it is lifted, never edited.
            return cleaned
        # The same checks as the service, so a bad hold comes back as form errors, not a failure.
        errors = services.legal_hold_problems(
            user=cleaned.get("user"),
            category=cleaned.get("category", ""),
            reason=cleaned.get("reason", ""),
            review_date=cleaned.get("review_date"),
        )
        for name, message in errors.items():
            # A field that failed its own validation already says so.
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    form = LegalHoldForm
    list_display = ("id", "user_id", "category", "placed_at", "review_flag", "lifted_at")
    list_filter = (ReviewFilter, "category")
    raw_id_fields = ("user",)
    actions = ["lift"]
    add_fields = ("user", "category", "reason", "review_date")
    readonly_fields = ("user", "category", "reason", "review_date", "placed_by", "placed_at", "lifted_at", "lifted_by")

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    @admin.display(description=_("review date"), ordering="review_date")
    def review_flag(self, obj):
        if obj.is_past_review:
            return format_html('<strong class="errornote">{} — {}</strong>', obj.review_date, _("past review"))
        return obj.review_date

    def has_delete_permission(self, request, obj=None):
        # A hold is lifted, never deleted: the row is the record that it existed.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        hold = services.legal_hold_place(
            actor=request.user,
            user=form.cleaned_data.get("user"),
            category=form.cleaned_data.get("category", ""),
            reason=form.cleaned_data["reason"],
            review_date=form.cleaned_data["review_date"],
        )
        obj.pk = hold.pk

    @admin.action(description=_("Lift the selected holds"), permissions=["change"])
    def lift(self, request, queryset):
        count = 0
        for hold in queryset.filter(lifted_at__isnull=True):
            services.legal_hold_lift(actor=request.user, hold=hold)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d hold lifted.", "%(count)d holds lifted.", count) % {"count": count},
            messages.SUCCESS,
        )
