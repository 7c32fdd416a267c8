from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from personal_data.holds import hold_reason, is_held
from personal_data.models import LegalHold
from personal_data.services import legal_hold_lift, legal_hold_place
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REVIEW = date(2027, 1, 1)


def test_placing_and_lifting_are_audited_with_ids_only(officer):
    person = UserFactory()
    hold = legal_hold_place(
        actor=officer, user=person, category="sign_in_activity", reason="Court order 2026-17", review_date=REVIEW
    )
    placed = AuditEvent.objects.get(action="retention.legal_hold_placed")
    assert placed.actor_id == officer.pk and placed.target_id == str(hold.pk)
    assert placed.details == {"user_id": person.pk, "category": "sign_in_activity", "review_date": "2027-01-01"}
    legal_hold_lift(actor=officer, hold=hold)
    legal_hold_lift(actor=officer, hold=hold)
    assert AuditEvent.objects.filter(action="retention.legal_hold_lifted").count() == 1
    hold.refresh_from_db()
    assert hold.lifted_by == officer and hold.lifted_at


def test_auditors_and_citizens_cannot_place_or_lift(officer, auditor):
    person = UserFactory()
    for actor in (auditor, person):
        with pytest.raises(PermissionDenied):
            legal_hold_place(actor=actor, user=person, reason="Court order 2026-17", review_date=REVIEW)
    hold = legal_hold_place(actor=officer, user=person, reason="Court order 2026-17", review_date=REVIEW)
    with pytest.raises(PermissionDenied):
        legal_hold_lift(actor=auditor, hold=hold)
    assert LegalHold.objects.active().count() == 1
    assert not AuditEvent.objects.filter(action="retention.legal_hold_lifted").exists()


def test_a_hold_needs_a_scope_and_a_reason_without_personal_data(officer):
    with pytest.raises(ValidationError) as error:
        legal_hold_place(actor=officer, reason="Court order", review_date=REVIEW)
    assert "category" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        legal_hold_place(actor=officer, category="emails", reason="ID 110101199003074514 dispute", review_date=REVIEW)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        legal_hold_place(actor=officer, category="emails", reason="Case 1", review_date=date(2020, 1, 1))
    assert "review_date" in error.value.message_dict
    assert not LegalHold.objects.exists()


def test_is_held_answers_for_person_category_and_both(officer):
    person, other = UserFactory(), UserFactory()
    assert not is_held(user=person, category="emails")
    legal_hold_place(actor=officer, user=person, category="emails", reason="Case 2026-1", review_date=REVIEW)
    assert is_held(user=person, category="emails")
    assert not is_held(user=person, category="locations")
    assert not is_held(user=other, category="emails")
    assert hold_reason(user=person, category="emails") == "Case 2026-1"
    assert hold_reason(user=other, category="emails") == ""
    legal_hold_place(actor=officer, category="locations", reason="Case 2026-2", review_date=REVIEW)
    assert is_held(user=other, category="locations")
    hold = legal_hold_place(actor=officer, user=other, reason="Case 2026-3", review_date=REVIEW)
    assert is_held(user=other, category="inbox_messages")
    legal_hold_lift(actor=officer, hold=hold)
    assert not is_held(user=other, category="inbox_messages")


def test_admin_flags_holds_past_review_and_auditor_only_views(officer, auditor, verified_client):
    person = UserFactory()
    overdue = legal_hold_place(actor=officer, user=person, reason="Case 2026-4", review_date=REVIEW)
    LegalHold.objects.filter(pk=overdue.pk).update(review_date=timezone.localdate() - timedelta(days=1))
    legal_hold_place(actor=officer, category="emails", reason="Case 2026-5", review_date=REVIEW)
    client = verified_client(officer)
    page = client.get(reverse("admin:personal_data_legalhold_changelist") + "?hold_state=past_review")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert "past review" in page.content.decode()
    client = verified_client(auditor)
    assert client.get(reverse("admin:personal_data_legalhold_changelist")).status_code == 200
    assert client.get(reverse("admin:personal_data_legalhold_add")).status_code == 403


def test_officer_places_a_hold_in_admin(officer, verified_client):
    person = UserFactory()
    client = verified_client(officer)
    response = client.post(
        reverse("admin:personal_data_legalhold_add"),
        {"user": person.pk, "category": "emails", "reason": "Court order 2026-9", "review_date": "2027-01-01"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.placed_by == officer
    assert AuditEvent.objects.filter(action="retention.legal_hold_placed", target_id=str(hold.pk)).exists()
    bad = client.post(
        reverse("admin:personal_data_legalhold_add"),
        {"category": "", "reason": "Court order", "review_date": "2027-01-01"},
    )
    assert bad.status_code == 200 and LegalHold.objects.count() == 1


def test_admin_lifts_holds_and_a_placed_hold_is_read_only(officer, verified_client):
    person = UserFactory()
    hold = legal_hold_place(actor=officer, user=person, reason="Case 2026-6", review_date=REVIEW)
    client = verified_client(officer)
    change = reverse("admin:personal_data_legalhold_change", args=[hold.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {}).status_code == 302
    hold.refresh_from_db()
    assert hold.reason == "Case 2026-6" and hold.is_active
    response = client.post(
        reverse("admin:personal_data_legalhold_changelist"), {"action": "lift", "_selected_action": [hold.pk]}
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active and hold.lifted_by == officer
    assert not is_held(user=person, category="emails")
