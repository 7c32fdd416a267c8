"""Admin building blocks for personal data: masked fields with a reveal button, search by keyed hash."""

from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import selectors, views
from .masked_fields import masked_value
from .roles import REVEAL_PERMISSION


class RevealableAdminMixin:
    """Masked personal fields, each with a button to the audited reveal page.

    The masked displays are methods (``masked_<field>``) listed in
    ``readonly_fields``; the model field itself must never appear in a
    fieldset, list or form, or admin would print or pre-fill its plaintext.
    """

    def get_urls(self):
        opts = self.model._meta
        reveal = path(
            "<path:object_id>/reveal/<str:field>/",
            self.admin_site.admin_view(self.reveal_view),
            name=f"{opts.app_label}_{opts.model_name}_reveal",
        )
        # Before the ModelAdmin's own patterns: its catch-all "<path:object_id>/"
        # would otherwise swallow ".../reveal/<field>/".
        return [reveal, *super().get_urls()]

    def reveal_view(self, request, object_id, field):
        return views.reveal_field(request, model_admin=self, object_id=object_id, field=field)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Display methods get only the object, not the request: the
            # object carries whether this viewer may see a reveal button.
            obj._staff_can_reveal = request.user.has_perm(REVEAL_PERMISSION)
        return obj

    def masked_with_reveal(self, obj, field: str):
        masked = masked_value(obj, field)
        if not masked:
            return self.get_empty_value_display()
        if not getattr(obj, "_staff_can_reveal", False):
            return masked
        opts = self.model._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_reveal",
            kwargs={"object_id": obj.pk, "field": field},
        )
        return format_html(
            '<span class="masked-value">{}</span> <a class="button reveal-button" href="{}">{}</a>',
            masked,
            url,
            _("Reveal"),
        )


class NumberSearchAdminMixin:
    """The search box takes a whole ID or mobile number and matches its keyed hash.

    Anything else falls through to ``search_fields``. Subclasses name the
    hash columns as lookups from their model.
    """

    id_number_hash_path = "id_number_hash"
    phone_hash_path = "phone_hash"

    def get_search_results(self, request, queryset, search_term):
        matched = selectors.search_by_number(
            queryset,
            term=search_term,
            id_number_hash_path=self.id_number_hash_path,
            phone_hash_path=self.phone_hash_path,
        )
        if matched is not None:
            return matched, False
        return super().get_search_results(request, queryset, search_term)
