"""Optional services in admin, with the fields each asks for, and read-only enrolments."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin

from ..models import OptionalService, ServiceEnrolment


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
