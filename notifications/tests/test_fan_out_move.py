"""The fan-out's move from incidents to notifications keeps its rows, its permissions and the grants on them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications.models import FanOut, FanOutRecipient
from retention.models import RetentionRule
from tests.factories import UserFactory

BEFORE = [("incidents", "0002_policy_announcements_on_fan_out"), ("notifications", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_permissions_grants_and_rules_survive_the_move():
    person = UserFactory()
    old = _migrate(BEFORE)
    OldFanOut = old.get_model("incidents", "FanOut")
    OldRecipient = old.get_model("incidents", "FanOutRecipient")
    fan_out = OldFanOut.objects.create(key="incident:1", kind="security_incident", total=1, cursor=person.pk)
    OldRecipient.objects.create(fan_out=fan_out, user_id=person.pk)
    auditors = Group.objects.create(name="fan-out readers")
    auditors.permissions.add(Permission.objects.get(content_type__app_label="incidents", codename="view_fanout"))
    rule = RetentionRule.objects.order_by("pk").first()
    RetentionRule.objects.filter(pk=rule.pk).update(model="incidents.FanOutRecipient")

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = FanOut.objects.get(pk=fan_out.pk)
    assert (moved.key, moved.total, moved.cursor) == ("incident:1", 1, person.pk)
    assert FanOutRecipient.objects.get(fan_out=moved).user_id == person.pk
    assert not ContentType.objects.filter(app_label="incidents", model__in=["fanout", "fanoutrecipient"]).exists()
    granted = auditors.permissions.get()
    assert (granted.content_type.app_label, granted.codename) == ("notifications", "view_fanout")
    reader = UserFactory(is_staff=True)
    reader.groups.add(auditors)
    assert reader.has_perm("notifications.view_fanout")
    rule.refresh_from_db()
    assert rule.model == "notifications.fanoutrecipient"
