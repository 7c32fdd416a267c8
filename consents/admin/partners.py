"""Partners in admin: whether their agreement is in force, and what linking them widens."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import catalogue_services
from ..models import Partner
from .saving import instance_is_saved_row


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

    def save_model(self, request, obj, form, change):
        """The catalogue service writes the partner, its links and the audit record.

        Linking a purpose or sending more data widens purposes: older consents stop covering them.
        """
        data = form.cleaned_data
        fields = {name: data[name] for name in catalogue_services.PARTNER_FIELDS if name in data}
        purposes, categories = data.get("purposes") or [], data.get("data_categories") or []
        if change:
            catalogue_services.partner_update(
                partner=obj, actor=request.user, fields=fields, purposes=purposes, data_categories=categories
            )
            return
        saved = catalogue_services.partner_create(
            actor=request.user, code=data["code"], fields=fields, purposes=purposes, data_categories=categories
        )
        instance_is_saved_row(obj, saved)

    def save_related(self, request, form, formsets, change):
        # The links were written by the service in save_model; only inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
