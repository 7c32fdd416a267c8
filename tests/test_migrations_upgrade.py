"""An existing database, with data in it, upgrades to this release's models.

Issue #10 moved models between apps (legal holds to ``personal_data``, the
fan-out to ``notifications``) by changing migration state only. A province
upgrading from the previous release keeps every row, every permission a
staff group holds, the append-only triggers and both hash chains. This test
builds a scratch PostgreSQL database at the previous release's migration
heads, fills it the way production would be filled (including the content
types and permissions that ``post_migrate`` creates, which migrations alone
do not), migrates it to the current heads and checks what an auditor would.
"""

import uuid
from datetime import date, timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.hashing import GENESIS_HASH, event_hash
from audit.partitions import LEGACY_PARTITION
from audit.selectors import audit_log_verify
from audit.services import audit_record
from audit.tests.partitioning import target_in
from consents.hashing import consent_event_hash
from consents.selectors import consent_ledger_verify
from core.hash_chain import UNKEYED, chain_signing_key_id

# The project's migration heads in the release before issue #10 (commit 5eebd9e).
PREVIOUS_HEADS = [
    ("accounts", "0004_delivery"),
    ("audit", "0002_refuse_update_delete"),
    ("consents", "0008_disclosures"),
    ("incidents", "0002_policy_announcements_on_fan_out"),
    ("notifications", "0001_initial"),
    ("privacy_requests", "0002_seed_calendar"),
    ("retention", "0004_seed_delivery_rules"),
]
PROJECT_APPS = {app for app, _ in PREVIOUS_HEADS} | {"personal_data", "core", "privacy_portal"}

# Where each moved model lived, and where it lives now, with its table.
MOVED = [
    ("retention", "legalhold", "personal_data", "legalhold", "retention_legalhold"),
    ("incidents", "fanout", "notifications", "fanout", "incidents_fanout"),
    ("incidents", "fanoutrecipient", "notifications", "fanoutrecipient", "incidents_fanoutrecipient"),
]

# No test database and no test case around it: the scratch database is the only one used.
pytestmark = [
    pytest.mark.skipif(connections[DEFAULT_DB_ALIAS].vendor != "postgresql", reason="PostgreSQL"),
]


def _admin_connection():
    default = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        user=default.get("USER") or "postgres",
        host=default.get("HOST") or "127.0.0.1",
        port=default.get("PORT") or 5432,
        password=default.get("PASSWORD") or None,
        autocommit=True,
    )


@pytest.fixture
def scratch(django_db_blocker):
    """A database of this run's own as the default connection, dropped afterwards.

    The data migrations write through the default connection, as they do in
    production, so the scratch database stands in for it during the test.
    """
    name = f"upgrade_{settings.TEST_RUN_ID}_{uuid.uuid4().hex[:8]}"
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    previous_name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = name
    try:
        with django_db_blocker.unblock():
            yield connection
    finally:
        connection.close()
        connection.settings_dict["NAME"] = previous_name
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(connection, targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _previous_targets(connection):
    """The previous release: the project's old heads, every other app (Django's, allauth's...) at its head."""
    graph = MigrationExecutor(connection).loader.graph
    others = [node for node in graph.leaf_nodes() if node[0] not in PROJECT_APPS]
    return PREVIOUS_HEADS + others


def _fill_previous_release(apps):
    """What a running portal holds: people, audit events, consent events, a hold, a fan-out, group grants."""
    User = apps.get_model("accounts", "User")
    citizen = User.objects.create(username="citizen-upgrade", email="c@example.cn", language="en")
    officer = User.objects.create(username="officer-upgrade", email="o@example.cn", is_staff=True)

    # Content types and permissions, as post_migrate would have created them in production.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group = Group.objects.create(name="Upgrade officers")
    granted = {}
    for old_app, old_model, _new_app, _new_model, _table in MOVED:
        content_type = ContentType.objects.create(app_label=old_app, model=old_model)
        for action in ("add", "change", "delete", "view"):
            permission = Permission.objects.create(
                content_type=content_type, codename=f"{action}_{old_model}", name=f"Can {action} {old_model}"
            )
            group.permissions.add(permission)
            granted[(old_app, old_model, action)] = permission.pk
    officer.groups.add(group)

    # Three audit events on one valid chain, hashed as the release before keyed chains did: plain SHA-256.
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    prev_hash, now = GENESIS_HASH, timezone.now().replace(microsecond=0)
    for seq, action in enumerate(["legal_hold.placed", "incident.reported", "consent.granted"], start=1):
        content = {
            "created_at": now + timedelta(seconds=seq),
            "actor_id": officer.pk,
            "action": action,
            "target_type": "accounts.user",
            "target_id": str(citizen.pk),
            "details": {"seq": seq},
        }
        digest = event_hash(seq=seq, prev_hash=prev_hash, key_id=UNKEYED, **content)
        AuditEvent.objects.create(seq=seq, prev_hash=prev_hash, hash=digest, **content)
        prev_hash = digest
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": 3, "last_hash": prev_hash})

    # A person's consent ledger: granted, then withdrawn.
    Purpose = apps.get_model("consents", "Purpose")
    ConsentSubject = apps.get_model("consents", "ConsentSubject")
    ConsentEvent = apps.get_model("consents", "ConsentEvent")
    purpose = Purpose.objects.get(code="surveys")
    subject = ConsentSubject.objects.create(user=citizen)
    prev_hash = GENESIS_HASH
    for seq, action in enumerate(["granted", "withdrawn"], start=1):
        content = {
            "subject_ref": subject.ref,
            "purpose_id": purpose.pk,
            "purpose_version": purpose.version,
            "partner_id": None,
            "action": action,
            "policy_version_id": None,
            "channel": "web",
            "actor_id": citizen.pk,
            "created_at": now + timedelta(seconds=seq),
        }
        digest = consent_event_hash(seq=seq, prev_hash=prev_hash, key_id=UNKEYED, **content)
        ConsentEvent.objects.create(seq=seq, subject=citizen, prev_hash=prev_hash, hash=digest, **content)
        prev_hash = digest
    ConsentSubject.objects.filter(pk=subject.pk).update(last_seq=2, last_hash=prev_hash)

    LegalHold = apps.get_model("retention", "LegalHold")
    hold = LegalHold.objects.create(
        user=citizen, category="", reason="Court order 2026-17", placed_by=officer, review_date=date(2027, 6, 30)
    )
    FanOut = apps.get_model("incidents", "FanOut")
    FanOutRecipient = apps.get_model("incidents", "FanOutRecipient")
    fan_out = FanOut.objects.create(key="incident:upgrade", kind="incident_notice", total=1, cursor=1)
    FanOutRecipient.objects.create(fan_out=fan_out, user=citizen)
    return {"citizen": citizen.pk, "officer": officer.pk, "hold": hold.pk, "fan_out": fan_out.pk, "granted": granted}


def test_a_database_with_data_upgrades_with_rows_grants_triggers_and_chains_intact(scratch):
    old_apps = _migrate(scratch, _previous_targets(scratch))
    before = _fill_previous_release(old_apps)

    current = MigrationExecutor(scratch).loader.graph.leaf_nodes()
    new_apps = _migrate(scratch, current)
    assert MigrationExecutor(scratch).migration_plan(current) == []

    # The rows are where the new models read them.
    LegalHold = new_apps.get_model("personal_data", "LegalHold")
    hold = LegalHold.objects.get(pk=before["hold"])
    assert (hold.user_id, hold.reason, hold.placed_by_id) == (
        before["citizen"],
        "Court order 2026-17",
        before["officer"],
    )
    FanOut = new_apps.get_model("notifications", "FanOut")
    FanOutRecipient = new_apps.get_model("notifications", "FanOutRecipient")
    assert FanOut.objects.get(pk=before["fan_out"]).key == "incident:upgrade"
    assert list(FanOutRecipient.objects.values_list("fan_out_id", "user_id")) == [
        (before["fan_out"], before["citizen"])
    ]
    for _old_app, _old_model, new_app, new_model, table in MOVED:
        assert new_apps.get_model(new_app, new_model)._meta.db_table == table

    # The same content type rows now name the new app, so every permission and group grant still holds.
    ContentType = new_apps.get_model("contenttypes", "ContentType")
    Permission = new_apps.get_model("auth", "Permission")
    User = new_apps.get_model("accounts", "User")
    officer = User.objects.get(pk=before["officer"])
    held = set(
        Permission.objects.filter(group__user=officer).values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    )
    for old_app, old_model, new_app, new_model, _table in MOVED:
        assert not ContentType.objects.filter(app_label=old_app, model=old_model).exists()
        assert ContentType.objects.filter(app_label=new_app, model=new_model).count() == 1
        for action in ("add", "change", "delete", "view"):
            permission_id = before["granted"][(old_app, old_model, action)]
            assert (permission_id, new_app, new_model, f"{action}_{new_model}") in held

    # Every retention rule still names a model that exists.
    RetentionRule = new_apps.get_model("retention", "RetentionRule")
    for label in RetentionRule.objects.values_list("model", flat=True):
        new_apps.get_model(label)

    # Both hash chains verify, and the append-only triggers still refuse changes.
    audit = audit_log_verify()
    assert audit.ok and audit.checked == 3, audit
    ledger = consent_ledger_verify()
    assert ledger.ok and (ledger.subjects, ledger.events) == (1, 2), ledger
    for statement in (
        "UPDATE audit_auditevent SET action = 'forged' WHERE seq = 2",
        "DELETE FROM audit_auditevent WHERE seq = 3",
        "UPDATE consents_consentevent SET action = 'granted' WHERE seq = 2",
        "DELETE FROM consents_consentevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), scratch.cursor() as cursor:
            cursor.execute(statement)
    assert audit_log_verify().ok and consent_ledger_verify().ok

    # The old chain is the legacy partition's (issue #13): its rows and its head row are partition 0's.
    AuditEvent = new_apps.get_model("audit", "AuditEvent")
    AuditChainHead = new_apps.get_model("audit", "AuditChainHead")
    assert list(AuditEvent.objects.order_by("seq").values_list("partition", "seq")) == [(0, 1), (0, 2), (0, 3)]
    assert list(AuditChainHead.objects.values_list("partition", "last_seq")) == [(0, 3)]

    # The unkeyed rows carry on into keyed ones: the legacy partition's next event is signed with the chain key.
    event = audit_record(actor=None, action="system.upgraded", target=target_in(LEGACY_PARTITION))
    assert (event.partition, event.seq, event.key_id) == (LEGACY_PARTITION, 4, chain_signing_key_id())
    # Any other partition starts a chain of its own.
    other = audit_record(actor=None, action="system.upgraded", target=target_in(1), details={"release": "issue-13"})
    assert (other.partition, other.seq, other.prev_hash) == (1, 1, GENESIS_HASH)
    audit = audit_log_verify(full=True)
    assert audit.ok and audit.checked == 5, audit
