"""The optional services with their purposes, kept in each process (``core.process_cache``).

The dashboard's services panel lists them on every view; they change through
admin. ``consents.apps`` imports this module so every process connects the
invalidating signals. The objects are shared by every request: read-only.
"""

from core.process_cache import ProcessTable

from ..models import OptionalService, Purpose


def _services_read() -> tuple[OptionalService, ...]:
    return tuple(OptionalService.objects.select_related("purpose").order_by("purpose__display_order", "code"))


optional_services_table: ProcessTable[tuple[OptionalService, ...]] = ProcessTable(
    "consents.optional_services", _services_read
)
optional_services_table.invalidate_on(OptionalService, Purpose)
