"""Correction requests end to end: validation, staff approval applies the change, masked audit, re-verification."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import phones
from accounts.identity import services as identity
from accounts.models import IdentityProfile, User, VerificationLevel
from audit.models import AuditEvent
from core.encryption import blind_index
from notifications.models import InboxMessage
from privacy_portal.demo import demo_id_number
from privacy_requests import services
from privacy_requests.forms import CorrectionForm
from privacy_requests.fulfilment.correction import correction_details_validate, correction_validate
from privacy_requests.models import RequestKind, RequestOutcome, RequestState
from privacy_requests.services import TransitionNotAllowed
from tests.factories import UserFactory, step_up_passed

pytestmark = pytest.mark.django_db

ZHANG = ("张三", "110101199003071233")
NEW_ID = demo_id_number("310101", "19800101", "123")
CARD = "6222021234567890128"


def profile(user) -> IdentityProfile:
    return IdentityProfile.objects.get(user=user)


def file(user, **details):
    details = correction_details_validate(details={"reason": "Wrong on my card", **details}, user=user)
    check = step_up_passed(user)
    return services.privacy_request_create(
        requester=user, kind=RequestKind.CORRECTION, details=details, identity_check=check
    )


# -- Validation when filed ------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("id_number", "110101199003071234", "Resident ID number"),
        ("phone", "12345", "Mobile number"),
        ("bank_card", "6222021234567890123", "Bank card number"),
        ("uscc", "91110000600037341X", "Unified Social Credit Code"),
        ("legal_name", "   ", "Legal name"),
    ],
)
def test_a_bad_new_value_is_refused_naming_the_field(field, value, words):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        correction_validate(field=field, new_value=value)
    [message] = raised.value.message_dict["new_value"]
    assert message.startswith(words)


def test_the_form_refuses_a_bad_value_on_its_field_and_nothing_is_filed(verified_citizen):
    with translation.override("en"):
        form = CorrectionForm({"field": "id_number", "new_value": "123", "reason": "typo"}, user=verified_citizen)
        assert not form.is_valid()
    assert "Resident ID number" in form.errors["new_value"][0]
    assert not verified_citizen.privacy_requests.exists()


def test_unknown_fields_business_fields_and_a_missing_reason_are_refused(verified_citizen):
    with pytest.raises(ValidationError) as raised:
        correction_details_validate(
            details={"field": "is_staff", "new_value": "1", "reason": "x"}, user=verified_citizen
        )
    assert "field" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        correction_details_validate(details={"field": "uscc", "new_value": "91110000600037341L"}, user=verified_citizen)
    assert set(raised.value.message_dict) == {"field", "reason"}


def test_the_value_is_stored_normalised():
    assert correction_validate(field="phone", new_value="+86 139-1234-5678") == "13912345678"
    assert correction_validate(field="bank_card", new_value="6222 0212 3456 7890 128") == CARD


# -- Approval applies the change --------------------------------------------------------


def test_approving_a_verified_field_applies_it_masks_the_audit_and_asks_to_verify_again(
    verified_citizen, staff, django_capture_on_commit_callbacks
):
    assert profile(verified_citizen).verification_level == VerificationLevel.IDENTITY_VERIFIED
    request = file(verified_citizen, field="id_number", new_value=NEW_ID)
    services.privacy_request_start_review(request=request, actor=staff)

    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_request_complete(request=request, actor=staff)

    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    stored = profile(verified_citizen)
    assert stored.id_number == NEW_ID
    assert stored.id_number_hash == blind_index(NEW_ID)
    assert str(stored.birth_date) == "1980-01-01"
    # What the provider confirmed is no longer what is stored.
    assert "id_number" not in stored.verified_fields
    assert stored.verification_level == VerificationLevel.CONTACT_VERIFIED
    assert request.outcomes.get().result == RequestOutcome.Result.CORRECTED

    event = AuditEvent.objects.get(action="privacy_request.correction_applied")
    assert event.actor_id == staff.pk
    assert event.details["field"] == "id_number"
    assert event.details["old"] == "1101**********1233"
    assert event.details["new"] == f"3101**********{NEW_ID[-4:]}"
    assert ZHANG[1] not in str(event.details) and NEW_ID not in str(event.details)

    told = InboxMessage.objects.get(recipient=verified_citizen, kind="identity_reverification_needed")
    assert "verify" in told.body.lower()
    assert any("verify your identity again" in m.subject for m in mail.outbox)
    # The lock is gone for the corrected field: the person can now verify again.
    identity.sandbox_identity_ensure(legal_name=ZHANG[0], id_number=NEW_ID)
    assert identity.identity_verify(user=verified_citizen, legal_name=ZHANG[0], id_number=NEW_ID).matched


def test_approving_a_name_correction_masks_names(verified_citizen, staff):
    request = file(verified_citizen, field="legal_name", new_value="张  叁")
    services.privacy_request_complete(request=request, actor=staff)
    assert profile(verified_citizen).legal_name == "张 叁"
    event = AuditEvent.objects.get(action="privacy_request.correction_applied")
    assert (event.details["old"], event.details["new"]) == ("张*", "张**")


def test_an_unverified_field_changes_without_re_verification(verified_citizen, staff):
    request = file(verified_citizen, field="bank_card", new_value=CARD)
    services.privacy_request_complete(request=request, actor=staff)
    stored = profile(verified_citizen)
    assert stored.bank_card == CARD
    assert stored.verification_level == VerificationLevel.IDENTITY_VERIFIED
    assert AuditEvent.objects.get(action="privacy_request.correction_applied").details["new"] == "6222 **** 0128"
    assert not InboxMessage.objects.filter(recipient=verified_citizen, kind="identity_reverification_needed").exists()


def test_the_value_is_checked_again_when_applied(verified_citizen, staff):
    request = file(verified_citizen, field="phone", new_value="13912345678")
    # Another account took the number meanwhile.
    phones.user_phone_set(user=UserFactory(), phone="13912345678", verified=True)
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="already used by another account"):
        services.privacy_request_complete(request=request, actor=staff)
    request.refresh_from_db()
    assert request.state == RequestState.IDENTITY_VERIFIED
    assert User.objects.get(pk=verified_citizen.pk).phone == ""
    assert not AuditEvent.objects.filter(action="privacy_request.correction_applied").exists()


def test_a_refusal_needs_a_second_staff_member_and_changes_nothing(verified_citizen, staff, checker):
    request = file(verified_citizen, field="legal_name", new_value="李四")
    services.privacy_request_propose(
        request=request, actor=staff, action="refuse", reason_code="identity_unverified", explanation="Not on record"
    )
    with pytest.raises(TransitionNotAllowed):
        services.privacy_request_confirm(request=request, actor=staff)
    services.privacy_request_confirm(request=request, actor=checker)
    request.refresh_from_db()
    assert request.state == RequestState.REFUSED
    assert profile(verified_citizen).legal_name == ZHANG[0]
    assert "legal_name" in profile(verified_citizen).verified_fields
