"""What the staff status page shows: each component of the deployment, probed now or read from its record.

Each probe answers a ``Component``: ``ok``, ``warning`` (works, but someone should look) or
``failed``. Probes are short (a connection attempt of a few seconds at most) and write nothing
that outlives them: the storage probe removes its file, the cache probe its key.
"""

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.mail import get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import ChainVerification
from audit.selectors import chain_verification_latest
from retention.selectors import sweep_report_latest

from .health import broker_status, database_status, migrations_status

OK, WARNING, FAILED = "ok", "warning", "failed"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_PROBE_TIMEOUT = 3
# The verifications and the sweep run nightly; older than this, a run was missed.
NIGHTLY_GRACE = timedelta(hours=36)


@dataclass(frozen=True)
class Component:
    name: str
    state: str
    summary: str
    # When the state was established, for what is read from a record rather than probed now.
    at: datetime | None = None


def _database() -> Component:
    if database_status() != "ok":
        return Component(_("Database"), FAILED, _("Unreachable."))
    if migrations_status() != "ok":
        return Component(_("Database"), FAILED, _("Reachable, but migrations are not applied."))
    return Component(_("Database"), OK, _("Reachable; every migration applied."))


def _broker() -> Component:
    state = broker_status()
    if state == "in-process":
        return Component(_("Broker"), WARNING, _("None configured: tasks run inside web requests."))
    if state != "ok":
        return Component(
            _("Broker"), FAILED, _("Unreachable. Pages keep working; queued work waits for the scans to resend it.")
        )
    return Component(_("Broker"), OK, _("Reachable."))


def _cache() -> Component:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key, value = f"portal-status:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=30)
        read = cache.get(key)
        cache.delete(key)
    except Exception:  # noqa: BLE001 - any failure of the cache is what this probe reports
        read = None
    if read != value:
        return Component(
            _("Cache"), FAILED, _("%(backend)s: a value written could not be read back.") % {"backend": backend}
        )
    return Component(_("Cache"), OK, _("%(backend)s: writes and reads.") % {"backend": backend})


def _storage() -> Component:
    storage = storages["default"]
    backend = type(storage).__name__
    content = secrets.token_bytes(32)
    name = None
    try:
        name = storage.save(f"portal-status/probe-{secrets.token_hex(8)}.bin", ContentFile(content))
        with storage.open(name, "rb") as handle:
            read = handle.read()
    except Exception:  # noqa: BLE001 - any failure of the storage is what this probe reports
        read = None
    finally:
        if name is not None:
            # The probe's answer stands either way; a stray probe file is harmless.
            with contextlib.suppress(Exception):
                storage.delete(name)
    if read != content:
        return Component(
            _("File storage"), FAILED, _("%(backend)s: a file written could not be read back.") % {"backend": backend}
        )
    return Component(_("File storage"), OK, _("%(backend)s: writes, reads and deletes.") % {"backend": backend})


def _mail() -> Component:
    backend = settings.EMAIL_BACKEND
    if backend != SMTP_BACKEND:
        return Component(_("Mail"), WARNING, _("%(backend)s: mail leaves no machine.") % {"backend": backend})
    where = {"host": settings.EMAIL_HOST, "port": settings.EMAIL_PORT}
    connection = get_connection(backend, timeout=SMTP_PROBE_TIMEOUT)
    try:
        connection.open()
        connection.close()
    except Exception:  # noqa: BLE001 - refused, timed out, TLS or login failed: all "unreachable"
        return Component(_("Mail"), FAILED, _("SMTP at %(host)s:%(port)s does not answer.") % where)
    return Component(_("Mail"), OK, _("SMTP at %(host)s:%(port)s answers.") % where)


def _verification(name: str, chain: str, now: datetime) -> Component:
    latest = chain_verification_latest(chain=chain)
    if latest is None:
        return Component(name, WARNING, _("Never verified."))
    if not latest.ok:
        return Component(
            name, FAILED, _("Does not hold: %(problem)s") % {"problem": latest.problem}, latest.finished_at
        )
    if latest.partitions:
        # The audit log: how many of its chains, and whether every event was re-hashed or only the new ones.
        summary = (
            _("Intact: %(count)s events checked in %(partitions)s partitions, each from its first event.")
            if latest.full
            else _(
                "Intact: %(count)s new events checked in %(partitions)s partitions, from where the last check reached."
            )
        ) % {"count": latest.checked, "partitions": latest.partitions}
    else:
        summary = _("Intact: %(count)s events checked.") % {"count": latest.checked}
    if now - latest.finished_at > NIGHTLY_GRACE:
        return Component(
            name, WARNING, _("%(summary)s The nightly check is overdue.") % {"summary": summary}, latest.finished_at
        )
    return Component(name, OK, summary, latest.finished_at)


def _sweep(now: datetime) -> Component:
    name = _("Retention sweep")
    latest = sweep_report_latest()
    if latest is None:
        return Component(name, WARNING, _("Never run."))
    if latest["finished_at"] is None:
        return Component(name, WARNING, _("Started, not finished."), latest["started_at"])
    summary = _("%(deleted)s rows deleted, %(anonymised)s anonymised.") % {
        "deleted": latest["rows_deleted"],
        "anonymised": latest["rows_anonymised"],
    }
    if now - latest["finished_at"] > NIGHTLY_GRACE:
        return Component(
            name, WARNING, _("%(summary)s The nightly sweep is overdue.") % {"summary": summary}, latest["finished_at"]
        )
    return Component(name, OK, summary, latest["finished_at"])


def deployment_status() -> list[Component]:
    now = timezone.now()
    database = _database()
    components = [database, _broker(), _cache(), _storage(), _mail()]
    if database.state == FAILED:
        # The records below live in the database; the probes above already say why they cannot be read.
        return components
    return [
        *components,
        _verification(_("Audit log verification"), ChainVerification.Chain.AUDIT_LOG, now),
        _verification(_("Consent ledger verification"), ChainVerification.Chain.CONSENT_LEDGER, now),
        _sweep(now),
    ]
