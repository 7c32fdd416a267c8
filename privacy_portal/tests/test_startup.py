"""No process of a deployment silently runs the dev settings or a dev backend.

Each test starts a real process the way a deployment would — importing the WSGI application as
gunicorn does, `celery worker`, `celery beat` — with no DJANGO_SETTINGS_MODULE and only the
production secrets in the environment, so it runs on SQLite and the other dev backends.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
REAL_BACKENDS = {
    "DATABASE_URL": "postgres://portal@db.internal:5432/privacy_portal",
    "CACHE_URL": "redis://redis.internal:6379/1",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp://mail.gov.example.cn:25",
    "IDENTITY_PROVIDER": "tests.deploy_stand_ins.UnreachableIdentityProvider",
    "FACE_PROVIDER": "tests.deploy_stand_ins.UnreachableFaceProvider",
    "BANK_CARD_PROVIDER": "tests.deploy_stand_ins.UnreachableBankCardProvider",
    "SMS_BACKEND": "tests.deploy_stand_ins.UnreachableSmsBackend",
}


def production_environment(tmp_path, **extra) -> dict[str, str]:
    """A clean environment: the production secrets, no settings module, nothing of the test run's."""
    key = secrets.token_urlsafe(48)
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "privacy.gov.example.cn",
        "SITE_URL": "https://privacy.gov.example.cn",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HMAC_KEY": key,
        "AUDIT_CHAIN_KEY": key,
        "DATA_RESIDENCY_DATABASE": "CN-GD",
        "DATA_RESIDENCY_FILES": "CN-GD",
        "CHAIN_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        # The footer's filing numbers (privacy_portal.W114, W115).
        "PORTAL_ICP_FILING": "粤ICP备12345678号",
        "PORTAL_PSB_FILING": "粤公网安备44010002000001号",
        **extra,
    }


def start(command, env, cwd=ROOT):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_wsgi_application_refuses_to_start_on_sqlite_and_the_dev_backends(tmp_path):
    started = start([sys.executable, "-c", "import privacy_portal.wsgi"], production_environment(tmp_path))
    assert started.returncode != 0
    assert "The web process refuses to start" in started.stderr
    for check_id in ("E101", "E102", "E103", "E104", "E105", "E106", "E107", "E108"):
        assert f"privacy_portal.{check_id}" in started.stderr
    assert "The database 'default' is SQLite" in started.stderr


def test_the_wsgi_application_starts_on_real_backends(tmp_path):
    script = "import privacy_portal.wsgi; from django.conf import settings; print(settings.SETTINGS_MODULE)"
    started = start([sys.executable, "-c", script], production_environment(tmp_path, **REAL_BACKENDS))
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "privacy_portal.settings.production"
    assert "privacy_portal.W" not in started.stderr


def test_the_staging_switch_lets_it_start_and_says_so(tmp_path):
    env = production_environment(tmp_path, PORTAL_STAGING_ALLOW_DEV_BACKENDS="yes-this-is-not-production")
    started = start([sys.executable, "-c", "import privacy_portal.wsgi"], env)
    assert started.returncode == 0, started.stderr
    assert "privacy_portal.W100" in started.stderr and "must not serve real people" in started.stderr
    assert "[staging switch on] The database 'default' is SQLite" in started.stderr


def test_without_its_secrets_the_wsgi_application_does_not_fall_back_to_dev(tmp_path):
    started = start([sys.executable, "-c", "import privacy_portal.wsgi"], {"PATH": os.environ["PATH"]})
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr


@pytest.mark.parametrize(
    ("command", "process"),
    [
        (["worker", "--pool", "solo", "--without-mingle", "--without-gossip"], "Celery worker"),
        (["beat", "--schedule", "{tmp}/beat-schedule"], "Celery beat"),
    ],
)
def test_celery_refuses_to_start_on_the_dev_backends(tmp_path, command, process):
    command = [part.format(tmp=tmp_path) for part in command]
    started = start([CELERY, "-A", "privacy_portal", *command], production_environment(tmp_path))
    assert started.returncode != 0
    output = started.stdout + started.stderr
    assert f"The {process} process refuses to start" in output
    assert "privacy_portal.E103" in output


def test_manage_py_keeps_dev_as_its_default_for_make_run(tmp_path):
    script = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    started = start([sys.executable, "manage.py", "shell", "-c", script], {"PATH": os.environ["PATH"]})
    assert started.returncode == 0, started.stderr
    assert started.stdout.splitlines()[-1] == "privacy_portal.settings.dev True"
