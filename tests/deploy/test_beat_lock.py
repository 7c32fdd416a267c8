"""Two real beat processes on one broker: only the lock holder publishes; the other takes over when it dies."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.integration.processes import wait_until

from .scratch import PROJECT_DIR, unique_name

CELERY = PROJECT_DIR / ".venv" / "bin" / "celery"
BROKER = "redis://127.0.0.1:6379/14"


class Beat:
    def __init__(self, env: dict[str, str], directory: Path, number: int):
        self.log_path = directory / f"beat-{number}.log"
        command = [str(CELERY), "-A", "tests.deploy.beat_app", "beat", "--loglevel", "INFO"]
        command += ["--schedule", str(directory / f"beat-{number}-schedule")]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _senders(client: redis.Redis, queue: str) -> list[int]:
    """The process id of the beat that published each message waiting in the queue, oldest first."""
    pids = []
    for raw in reversed(client.lrange(queue, 0, -1)):
        origin = json.loads(raw)["headers"]["origin"]  # "gen<pid>@<host>"
        pids.append(int(origin.split("@")[0].removeprefix("gen")))
    return pids


@pytest.mark.integration
def test_a_second_beat_schedules_nothing_until_the_first_dies(tmp_path):
    run_id = unique_name("beat")
    prefix = f"test-{run_id}:"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
        "DJANGO_SETTINGS_MODULE": "privacy_portal.settings.test",
        "TEST_RUN_ID": run_id,
        "TEST_CELERY_TASK_ALWAYS_EAGER": "false",
    }
    env.pop("TEST_CELERY_BROKER_URL", None)
    client = redis.Redis.from_url(BROKER)
    queue = f"{prefix}celery"
    beats: list[Beat] = []
    try:
        first = Beat(env, tmp_path, 1)
        beats.append(first)
        wait_until(
            lambda: client.llen(queue) >= 2,
            timeout=30,
            message="the first beat published nothing",
            details=lambda: first.log,
        )
        second = Beat(env, tmp_path, 2)
        beats.append(second)
        wait_until(
            lambda: "another beat holds the beat lock" in second.log,
            timeout=30,
            message="the second beat did not report waiting",
            details=lambda: second.log,
        )

        # Both run side by side for a while: every message still comes from the first.
        time.sleep(4)
        senders = _senders(client, queue)
        assert len(senders) >= 8
        assert set(senders) == {first.process.pid}, senders
        assert "Sending due task" not in second.log
        assert second.process.poll() is None

        # The holder dies without releasing; its lock expires and the second takes over.
        first.kill()
        published = client.llen(queue)
        wait_until(
            lambda: client.llen(queue) >= published + 2,
            timeout=30,
            message="the second beat did not take over",
            details=lambda: second.log,
        )
        assert "holding the beat lock" in second.log
        senders = _senders(client, queue)
        assert set(senders) == {first.process.pid, second.process.pid}
        # Never both at once: the first's messages all come before the second's.
        assert senders == sorted(senders, key=lambda pid: pid == second.process.pid)
    finally:
        for beat in beats:
            beat.kill()
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
