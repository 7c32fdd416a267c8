"""Partners in admin: whether their agreement is in force, and what linking them widens."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import services as consent_services
from ..models import Partner


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
