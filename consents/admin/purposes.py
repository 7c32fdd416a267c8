"""Data categories and purposes in admin; purposes are written by ``consents.catalogue_services``."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.utils.translation import gettext_lazy as _

from .. import catalogue_services
from ..models import DataCategory, Partner, Purpose
from .saving import instance_is_saved_row


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

    def save_model(self, request, obj, form, change):
        """The catalogue service writes the purpose, its links and the audit record.

        Narrowing applies at once; widening raises the version (``purpose_widen``).
        """
        data = form.cleaned_data
        fields = {name: data[name] for name in catalogue_services.PURPOSE_FIELDS if name in data}
        categories, partners = data.get("data_categories") or [], data.get("partners") or []
        if not change:
            saved = catalogue_services.purpose_create(
                actor=request.user, code=data["code"], fields=fields, data_categories=categories, partners=partners
            )
            instance_is_saved_row(obj, saved)
            return
        saved = catalogue_services.purpose_update(
            purpose=obj, actor=request.user, fields=fields, data_categories=categories, partners=partners
        )
        if saved.version != obj.version:
            obj.version = saved.version
            self.message_user(
                request,
                _(
                    "The purpose was widened (now version %(version)s): consents given before no longer cover it, "
                    "so each person is asked again."
                )
                % {"version": saved.version},
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        # The links were written by the service in save_model; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
