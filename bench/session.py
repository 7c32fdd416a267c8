"""What a benchmark is given: the configured process, the sink and a worker.

The environment is written before ``django.setup()`` because the settings
read it once, on import; the worker subprocess inherits the same values.
"""

import os
from dataclasses import dataclass, field

import django

from bench import broker, worker
from bench.smtp_sink import SmtpSink

SETTINGS_MODULE = "privacy_portal.settings.dev"


def configure_django(*, database_url: str, email_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            # DEBUG would keep every query in memory and slow each one down.
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            # Persistent connections, as production runs: reconnecting per
            # request would dominate every web-side figure.
            "CONN_MAX_AGE": "60",
            # A broker turns eager tasks off: work is published to Redis on
            # commit and run by the worker, as in production.
            "CELERY_BROKER_URL": broker.BROKER_URL,
            "CELERY_BROKER_KEY_PREFIX": broker.KEY_PREFIX,
            "EMAIL_URL": email_url,
        }
    )
    django.setup()


@dataclass
class Session:
    scale: float
    sink: SmtpSink
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def scaled(self, full: int) -> int:
        """``full`` times the run's scale, so a smoke run stays short."""
        return max(1, round(full * self.scale))

    def celery_worker(self):
        """A real prefork worker on the bench broker, stopped when the block ends."""
        return worker.celery_worker(self.env)

    def reset(self) -> None:
        """Start a benchmark from migrated-but-empty tables, queue and sink, on a quiet disk."""
        from django.core.management import call_command
        from django.db import connection

        from privacy_portal.reference_data import reference_data_ensure

        # The audit log and the consent ledger refuse TRUNCATE by trigger; this
        # throw-away database is emptied as the superuser, with triggers off.
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            call_command("flush", interactive=False, verbosity=0)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        reference_data_ensure()
        # Leave nothing of the previous benchmark behind: its dirty pages (the
        # sweep writes millions of rows), which the checkpointer would write
        # out during this one, and its planner statistics, which describe
        # tables that are now empty. Production's autovacuum refreshes
        # statistics as tables change; this machine's PostgreSQL runs without it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("CHECKPOINT")
        broker.flush()
        self.sink.reset()
