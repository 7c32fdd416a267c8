"""Each process's copy of the catalogue follows changes made anywhere (consents.table_caches).

``elsewhere`` is a second copy of the catalogue under the same name that
listens to no signal: a process other than the one making the change, which
learns of it only through the shared generation.
"""

import datetime

import pytest
from django.utils import timezone

from consents import catalogue_services, services, table_caches
from consents.models import DataCategory, Partner, PolicyVersion, Purpose
from core.process_cache import ProcessTable
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(is_staff=True)


@pytest.fixture
def elsewhere():
    return ProcessTable(table_caches.catalogue_table.name, table_caches._catalogue_load)


def _purpose_fields(**changes) -> dict:
    surveys = Purpose.objects.get(code="surveys")
    return {**{name: getattr(surveys, name) for name in catalogue_services.PURPOSE_FIELDS}, **changes}


def test_purposes_and_partners_by_code_without_a_query_when_warm(django_assert_num_queries):
    table_caches.catalogue_cached()
    with django_assert_num_queries(0):
        surveys = table_caches.purpose_cached("surveys")
        partner = table_caches.partner_cached("survey_partner")
        assert table_caches.catalogue_cached().serves(partner=partner, purpose=surveys)
        assert table_caches.purpose_cached("no_such_purpose") is None
    assert surveys == Purpose.objects.get(code="surveys")


def test_a_deactivated_purpose_is_seen_by_another_process(officer, elsewhere):
    assert elsewhere.get().purposes["surveys"].active
    surveys = Purpose.objects.get(code="surveys")
    catalogue_services.purpose_update(purpose=surveys, actor=officer, fields={"active": False})
    assert not elsewhere.get().purposes["surveys"].active


def test_a_deleted_purpose_vanishes_in_another_process(officer, elsewhere):
    trial = catalogue_services.purpose_create(actor=officer, code="trial", fields=_purpose_fields(active=True))
    assert "trial" in elsewhere.get().purposes
    trial.delete()
    assert "trial" not in elsewhere.get().purposes
    assert table_caches.purpose_cached("trial") is None


def test_a_partner_unlinked_from_a_purpose_no_longer_serves_it_elsewhere(officer, elsewhere):
    partner = Partner.objects.get(code="survey_partner")
    surveys = Purpose.objects.get(code="surveys")
    assert elsewhere.get().serves(partner=partner, purpose=surveys)
    catalogue_services.partner_update(partner=partner, actor=officer, fields={}, purposes=[])
    assert not elsewhere.get().serves(partner=partner, purpose=surveys)


def test_a_partner_receiving_more_data_widens_its_purposes_elsewhere(officer, elsewhere):
    # partner_widen raises the versions with update(), which sends no signal.
    partner = Partner.objects.get(code="survey_partner")
    version = elsewhere.get().purposes["surveys"].version
    more = DataCategory.objects.exclude(partners=partner).first()
    services.partner_widen(partner=partner, data_categories=[more], actor=officer)
    assert elsewhere.get().purposes["surveys"].version == version + 1


def test_the_policy_in_force_follows_a_new_version():
    now = timezone.now()
    assert (
        table_caches.policy_in_force_cached()
        == PolicyVersion.objects.filter(published_at__lte=now, effective_at__lte=now).order_by("-effective_at").first()
    )
    newer = PolicyVersion.objects.create(
        version="2099.1",
        text_zh="新",
        text_en="new",
        published_at=now,
        effective_at=now - datetime.timedelta(seconds=1),
    )
    assert table_caches.policy_in_force_cached() == newer
    # Not yet in force at an earlier moment; a draft is never in force.
    assert table_caches.policy_in_force_cached(on=now - datetime.timedelta(days=1)) != newer
    newer.published_at = None
    newer.save(update_fields=["published_at"])
    assert table_caches.policy_in_force_cached() != newer
