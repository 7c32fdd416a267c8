"""scripts/backup and scripts/restore-drill on a scratch database with real data.

The data is written by the portal as the application role; a checkpoint is
taken half-way, as beat takes them every 15 minutes; the drill restores the
latest backup into a database of its own and verifies both chains against the
checkpoints saved with it.
"""

import re
from pathlib import Path

import pytest

from .scratch import PYTHON, admin_connect, manage, run

# Half the history before the checkpoint and half after it, as in production,
# where a backup starts some minutes after the last checkpoint.
WRITES = """
from django.contrib.auth import get_user_model
from consents.models import Purpose
from consents.services import consent_grant, consent_withdraw
from audit.checkpoints import audit_checkpoint_write
from consents.checkpoints import consent_checkpoint_write

purposes = list(Purpose.objects.filter(active=True).exclude(kind="basic").order_by("display_order")[:2])
for number in range(3):
    person = get_user_model().objects.create_user(username=f"backup-{number}", email=f"b{number}@example.cn")
    for purpose in purposes:
        consent_grant(subject=person, purpose=purpose)
    if number == 1:
        audit_checkpoint_write()
        consent_checkpoint_write()
    consent_withdraw(subject=person, purpose=purposes[0])
"""


def _drill_env(checkpoints: Path) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "privacy_portal.settings.test", "CHAIN_CHECKPOINT_DIR": str(checkpoints)}


def _scratch_databases() -> set[str]:
    with admin_connect() as admin:
        rows = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'restore_drill_%'").fetchall()
    return {name for (name,) in rows}


@pytest.mark.integration
def test_backup_then_restore_drill_verifies_chains_and_counts_rows(scratch_database, tmp_path):
    checkpoints = tmp_path / "checkpoints"
    backups = tmp_path / "backups"
    env = {"CHAIN_CHECKPOINT_DIR": str(checkpoints), "TEST_DATABASE_URL": scratch_database.app_url}
    run(
        [str(PYTHON), "manage.py", "shell", "--no-imports", "-c", WRITES],
        env={"DJANGO_SETTINGS_MODULE": "privacy_portal.settings.test", **env},
    )
    assert sorted(p.name for p in checkpoints.iterdir()) == ["audit.jsonl", "consent_ledger.jsonl"]
    before = _scratch_databases()

    # The backup runs as the application role: it may read every table.
    backup = run(["bash", "scripts/backup", str(backups)], env={"DATABASE_URL": scratch_database.app_url, **env})
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert folder.parent == backups and folder.name.startswith("privacy-portal-")
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == [
        "SHA256SUMS",
        "checkpoints/audit.jsonl",
        "checkpoints/consent_ledger.jsonl",
        "database.dump",
    ]
    assert (folder / "database.dump").stat().st_mode & 0o077 == 0, "the dump must be readable by its owner only"

    # Data written after the backup is not in it: the drill restores what the backup holds.
    manage("shell", "--no-imports", "-c", WRITES.replace("backup-", "later-"), database_url=scratch_database.app_url)

    drill = run(["bash", "scripts/restore-drill", str(backups)], env=_drill_env(tmp_path / "elsewhere"))
    out = drill.stdout
    assert "Checksums: ok" in out
    intact = r"Audit log intact: \d+ events verified in \d+ partitions, from the first event; it agrees with"
    assert re.search(intact, out), out
    assert re.search(r"Consent ledger intact: 9 events of 3 people verified; it agrees with the checkpoint", out), out
    counts = dict(re.findall(r"^(\w+) (\d+)$", out, re.MULTILINE))
    assert counts["accounts_user"] == "3"
    assert counts["consents_consentevent"] == "9"
    assert int(counts["audit_auditevent"]) >= 9
    assert out.rstrip().endswith("restore-drill: passed")
    # The scratch database is gone; the drill never touched the source.
    assert _scratch_databases() == before
    assert scratch_database.name not in _scratch_databases()


@pytest.mark.integration
def test_restore_drill_refuses_a_damaged_backup(scratch_database, tmp_path):
    backups = tmp_path / "backups"
    backup = run(["bash", "scripts/backup", str(backups)], env={"DATABASE_URL": scratch_database.owner_url})
    dump = Path(backup.stdout.strip().splitlines()[-1]) / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    before = _scratch_databases()

    with pytest.raises(AssertionError, match="checksums do not match"):
        run(["bash", "scripts/restore-drill", str(backups)], env=_drill_env(tmp_path / "checkpoints"))
    assert _scratch_databases() == before
