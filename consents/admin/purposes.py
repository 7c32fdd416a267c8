"""Data categories and purposes in admin; widening a purpose goes through ``purpose_widen``."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.utils.translation import gettext_lazy as _

from .. import services as consent_services
from ..models import DataCategory, Partner, Purpose


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
