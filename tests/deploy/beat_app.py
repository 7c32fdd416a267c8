"""The portal's Celery app with a schedule short enough to watch: for the beat lock test.

``celery -A tests.deploy.beat_app beat`` runs the real app (broker, key
prefix, the single-beat scheduler) but publishes one task a half second and
lets a dead holder's lock expire in three seconds.
"""

from privacy_portal.celery import app

TASK = "tests.deploy.beat_tick"

app.conf.beat_schedule = {"beat-lock-tick": {"task": TASK, "schedule": 0.5}}
app.conf.beat_lock_ttl = 3

__all__ = ["app"]
