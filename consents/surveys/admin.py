"""Survey invitations in admin: privacy officers write one, then send it with the "send" action."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.admin import fan_out_progress_text

from ..models import SurveyInvitation
from . import selectors, services


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "sending_progress")
    fields = ("title_zh", "title_en", "text_zh", "text_en", "survey_url", "consenting_people", "sending_progress")
    readonly_fields = ("consenting_people", "sending_progress")
    list_select_related = ("fan_out",)
    actions = ["send"]

    @admin.display(description=_("people who consented to surveys"))
    def consenting_people(self, obj):
        return selectors.survey_invitation_recipients().count()

    @admin.display(description=_("sending"))
    def sending_progress(self, obj):
        if obj is None or obj.fan_out is None:
            return gettext("Not sent")
        return fan_out_progress_text(obj.fan_out)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "survey_url":
            # An address typed without a scheme is taken as https, as people expect a survey to be.
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.fan_out_id is not None:
            # People have read these words: they stay as sent (the page becomes read-only).
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.survey_invitation_save(invitation=obj, actor=request.user, created=not change)

    def has_send_permission(self, request):
        return request.user.has_perm(services.SEND_PERMISSION)

    @admin.action(description=_("Send to everyone who consented to surveys"), permissions=["send"])
    def send(self, request, queryset):
        sent = 0
        for invitation in queryset:
            try:
                services.survey_invitation_send(invitation=invitation, actor=request.user)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request, gettext("The invitations are being sent; each person gets one once."), messages.SUCCESS
            )
