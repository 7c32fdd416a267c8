import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_how_to_sign_in(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    count = User.objects.count()
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert User.objects.count() == count
    assert "zhang.san@example.cn" in first and "password:" in first and "[created]" in first
    assert "[exists]" in second and "[created]" not in second
    for role in ("customer_service", "privacy_officer", "auditor"):
        assert User.objects.filter(groups__name=role, is_staff=True).exists()
    assert User.objects.get(email="zhang.san@example.cn").check_password("Citizen-Demo-2026")


@pytest.mark.django_db
def test_seed_demo_refuses_where_demo_data_is_not_allowed(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_celery_keeps_work_safe_from_worker_loss():
    from privacy_portal.celery import app

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_retry_on_worker_lost is True
    assert conf.task_reject_on_worker_lost is False, "no endless requeue loop"
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert conf.task_time_limit < visibility
    assert visibility > settings.MAX_TASK_COUNTDOWN


def test_beat_schedule_runs_the_pending_outbox_scan():
    from privacy_portal.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "notifications.tasks.outbox_dispatch_pending" in tasks
    assert set(tasks) <= set(app.tasks.keys())


@pytest.mark.django_db
def test_seed_demo_registers_a_service_client_that_gets_a_token(capsys, client):
    import re

    call_command("seed_demo")
    out = capsys.readouterr().out
    found = re.search(r"demo-recommendations  client id: (\S+)  secret: (\S+)  \[created\]", out)
    assert found, out
    answer = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=_basic(*found.groups()))
    assert answer.status_code == 200 and answer.json()["scope"] == "consent:check"
    call_command("seed_demo")
    assert "secret:" not in capsys.readouterr().out


def _basic(client_id, secret):
    import base64

    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
