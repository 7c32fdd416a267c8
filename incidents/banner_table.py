"""The notified incidents whose banner may still show, kept in each process (``core.process_cache``).

Every portal page shows the banner, so the rows come from memory; the date
check runs on every read, so a banner still ends on time. A notification or
an edit saves the incident, which reloads the copy in every process;
``incidents.apps`` imports this module so every process connects the signal.
"""

from django.utils import timezone

from core.process_cache import ProcessTable

from .models import Incident


def _banners_read() -> tuple[Incident, ...]:
    # Banners already over cannot come back without a save, which reloads.
    return tuple(
        Incident.objects.filter(fan_out__isnull=False, banner_until__gt=timezone.now()).order_by(
            "-discovered_at", "-pk"
        )
    )


incident_banners_table: ProcessTable[tuple[Incident, ...]] = ProcessTable("incidents.banners", _banners_read)
incident_banners_table.invalidate_on(Incident)
