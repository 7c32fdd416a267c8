"""How ``POST /api/v1/requests/`` describes each kind's ``details`` in the OpenAPI schema.

The request's forms (``forms.py``) check the details; these serializers only
tell a client what each kind takes, so that a body the schema accepts is a
body the forms accept as far as its shape goes. What depends on the person's
data (which purposes they granted, which details they can correct) cannot be
in a schema: naming something else is answered 409, not 400 (``api.py``).
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from personal_data.registry import personal_data_categories

from .forms import FORMS, MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH
from .models import RequestKind

# Not blank, and no NUL character (the forms refuse both).
TEXT_PATTERN = r"^[^\u0000]*\S[^\u0000]*$"
NOTE_PATTERN = r"^[^\u0000]*$"
CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"


def _text(max_length: int, help_text: str) -> dict:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": max_length,
        "pattern": TEXT_PATTERN,
        "description": help_text,
    }


@extend_schema_field(
    {
        "type": "string",
        "maxLength": NOTE_MAX_LENGTH,
        "pattern": NOTE_PATTERN,
        "description": "Anything staff should know; optional.",
    }
)
class NoteField(serializers.CharField):
    pass


@extend_schema_field(_text(200, "A short subject."))
class SubjectField(serializers.CharField):
    pass


@extend_schema_field(_text(MESSAGE_MAX_LENGTH, "The complaint or question."))
class MessageField(serializers.CharField):
    pass


@extend_schema_field(_text(200, "The correct value, written as the detail is written."))
class NewValueField(serializers.CharField):
    pass


@extend_schema_field(_text(1000, "Why the stored value is wrong."))
class ReasonField(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "pattern": CODE_PATTERN})
class CodeField(serializers.CharField):
    pass


class NoteDetails(serializers.Serializer):
    note = NoteField(required=False)


class CorrectionDetails(serializers.Serializer):
    field = CodeField(help_text="The detail to correct: one of the person's correctable details (see the portal).")
    new_value = NewValueField()
    reason = ReasonField()


class CategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[entry.code for entry in personal_data_categories()], **kwargs)


class DeletionDetails(NoteDetails):
    categories = serializers.ListField(
        child=CategoryField(),
        required=False,
        help_text="The categories to delete; none means everything held about the person.",
    )


class WithdrawalDetails(NoteDetails):
    purposes = serializers.ListField(
        child=CodeField(),
        min_length=1,
        help_text="Codes of optional purposes the person has granted.",
    )


class ComplaintDetails(serializers.Serializer):
    subject = SubjectField()
    message = MessageField()


DETAILS = {
    RequestKind.ACCESS: NoteDetails,
    RequestKind.EXPORT: NoteDetails,
    RequestKind.CORRECTION: CorrectionDetails,
    RequestKind.DELETION: DeletionDetails,
    RequestKind.WITHDRAWAL: WithdrawalDetails,
    RequestKind.COMPLAINT: ComplaintDetails,
}
assert set(DETAILS) == set(FORMS), "every kind the API files needs its details described"


def _create_body(kind: str, details: type[serializers.Serializer]) -> type[serializers.Serializer]:
    kind = str(kind)
    name = f"{kind.title()}RequestCreate"
    fields = {
        "kind": serializers.ChoiceField(choices=[kind]),
        "details": details(required=kind in {RequestKind.CORRECTION, RequestKind.WITHDRAWAL, RequestKind.COMPLAINT}),
    }
    return type(name, (serializers.Serializer,), fields)


CREATE_BODY = PolymorphicProxySerializer(
    component_name="PrivacyRequestCreate",
    serializers={str(kind): _create_body(kind, details) for kind, details in DETAILS.items()},
    resource_type_field_name="kind",
)
