"""The one hold rule set: what erasers ask one person at a time equals what the sweep asks as a set."""

from datetime import date

import pytest
from django.utils import timezone

from personal_data.holds import category_held, held_people_for, is_held
from personal_data.models import LegalHold
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REVIEW = date(2027, 1, 1)


def _hold(*, user=None, category="", lifted=False) -> LegalHold:

    return LegalHold.objects.create(
        user=user,
        category=category,
        reason="Case 2026-9",
        review_date=REVIEW,
        lifted_at=timezone.now() if lifted else None,
    )


def test_the_sweep_and_the_erasers_agree_on_who_is_held():
    whole, one_category, other_category, lifted, free = (UserFactory() for _ in range(5))
    _hold(user=whole)
    _hold(user=one_category, category="emails")
    _hold(user=other_category, category="locations")
    _hold(user=lifted, category="emails", lifted=True)
    people = [whole, one_category, other_category, lifted, free]
    # A subquery for the sweep, evaluated here for the comparison.
    held_ids = {row["user_id"] for row in held_people_for(category="emails")}
    assert held_ids == {whole.pk, one_category.pk}
    for person in people:
        assert is_held(user=person, category="emails") == (person.pk in held_ids), person


def test_a_category_hold_covers_everyone_and_only_that_category():
    person = UserFactory()
    assert not category_held(category="emails")
    _hold(category="emails")
    assert category_held(category="emails")
    assert is_held(user=person, category="emails")
    assert is_held(user=None, category="emails")
    assert not category_held(category="locations")
    assert not is_held(user=person, category="locations")
    # A category hold keeps everyone's rows as a whole: it is not a list of held people.
    assert not held_people_for(category="emails").exists()


def test_a_person_hold_is_not_a_category_hold():
    _hold(user=UserFactory())
    assert not category_held(category="emails")
