"""Every admin page opens, on PostgreSQL (the suite's database) and on SQLite (what `make run` serves)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.admin_pages import admin_page_statuses, staff_client_signed_in

SUMMARY = "/admin/privacy_requests/privacyrequest/summary/"
CONSENT_REPORT = "/admin/consents/consentreport/"
# Issue #15's pages that only computed figures could break on SQLite: each must open, not merely not fail.
MUST_OPEN = (SUMMARY, CONSENT_REPORT, CONSENT_REPORT + "download/", "/admin/status/")


def _check(statuses: dict[str, int]) -> None:
    broken = {path: status for path, status in statuses.items() if status >= 500}
    assert not broken, f"admin pages answering 5xx: {broken}"
    # The walk really walked: the index, the summary, the status page and a hundred more.
    assert {"/admin/", SUMMARY, "/admin/status/"} <= set(statuses)
    assert {path: statuses.get(path) for path in MUST_OPEN} == dict.fromkeys(MUST_OPEN, 200)
    assert len(statuses) > 100
    assert sum(status == 200 for status in statuses.values()) > 80


@pytest.mark.django_db
def test_every_admin_page_opens_on_postgresql():
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    _check(admin_page_statuses(staff_client_signed_in()))


def test_every_admin_page_opens_on_sqlite_with_the_demo_data(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'admin-walk.sqlite3'}",
        "DEBUG": "false",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.admin_pages"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    _check(json.loads(done.stdout.strip().splitlines()[-1]))
