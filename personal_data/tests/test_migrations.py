"""Moving LegalHold from retention to personal_data keeps its rows, its table and the permissions granted on it."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("retention", "0004_seed_delivery_rules"), ("personal_data", None)]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    # The models as the applied migrations describe them, not as the code does now.
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


@pytest.mark.django_db(transaction=True)
def test_holds_and_their_permission_grants_survive_the_move():
    old = _migrate(BEFORE)
    User = old.get_model("accounts", "User")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Group = old.get_model("auth", "Group")
    OldHold = old.get_model("retention", "LegalHold")
    assert OldHold._meta.db_table == "retention_legalhold"

    person = User.objects.create(username="held_before_the_move")
    hold = OldHold.objects.create(user=person, category="emails", reason="Case 2026-11", review_date=date(2027, 1, 1))
    ContentType.objects.filter(app_label="personal_data", model="legalhold").delete()
    content_type, _ = ContentType.objects.get_or_create(app_label="retention", model="legalhold")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="add_legalhold", defaults={"name": "Can add legal hold"}
    )
    group = Group.objects.create(name="holds_before_the_move")
    group.permissions.add(permission)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django.contrib.auth.models import Group as CurrentGroup
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from personal_data.models import LegalHold

    moved = LegalHold.objects.get(pk=hold.pk)
    assert (moved.user_id, moved.category, moved.reason) == (person.pk, "emails", "Case 2026-11")
    CurrentContentType.objects.clear_cache()
    moved_type = CurrentContentType.objects.get(pk=content_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("personal_data", "legalhold")
    assert not CurrentContentType.objects.filter(app_label="retention", model="legalhold").exists()
    granted = CurrentGroup.objects.get(pk=group.pk).permissions.get()
    assert granted.pk == permission.pk
    assert f"{granted.content_type.app_label}.{granted.codename}" == "personal_data.add_legalhold"


@pytest.mark.django_db(transaction=True)
def test_the_move_reverses():
    _migrate(BEFORE)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    with connection.cursor() as cursor:
        assert "retention_legalhold" in connection.introspection.table_names(cursor)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        assert "retention_legalhold" in connection.introspection.table_names(cursor)
