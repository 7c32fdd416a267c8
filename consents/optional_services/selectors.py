"""Reading optional services and a person's enrolments."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404
from django.utils import translation

from consents.models import OptionalService, ServiceEnrolment

from .services_table import optional_services_table

# A declared field without its own "max_length" takes this one.
DEFAULT_FIELD_MAX_LENGTH = 100


@dataclass(frozen=True)
class ServiceField:
    name: str
    label: str
    max_length: int


@dataclass(frozen=True)
class ServiceRow:
    service: OptionalService
    fields: list[ServiceField]
    enrolment: ServiceEnrolment | None

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None and self.enrolment.state == ServiceEnrolment.State.ENROLLED

    @property
    def left(self) -> bool:
        return self.enrolment is not None and self.enrolment.state == ServiceEnrolment.State.LEFT


def service_fields(*, service: OptionalService) -> list[ServiceField]:
    """What the service asks for, labelled in the active language."""
    english = translation.get_language() == "en"
    fields = []
    for spec in service.required_fields or []:
        label = (spec.get("label_en") if english else spec.get("label_zh")) or spec.get("label_zh") or spec["name"]
        fields.append(ServiceField(spec["name"], label, int(spec.get("max_length") or DEFAULT_FIELD_MAX_LENGTH)))
    return fields


def access_optional_service(*, code: str, include_inactive: bool = False) -> OptionalService:
    """The service with this code, or 404. Inactive services can still be left, never joined."""
    services = OptionalService.objects.select_related("purpose")
    if not include_inactive:
        services = services.filter(active=True)
    service = services.filter(code=code).first()
    if service is None:
        raise Http404
    return service


def enrolment_open(*, subject, service: OptionalService) -> ServiceEnrolment | None:
    return ServiceEnrolment.objects.filter(user=subject, service=service, state=ServiceEnrolment.State.ENROLLED).first()


def service_rows_for(*, subject, with_categories: bool = True, read_enrolments: bool = True) -> list[ServiceRow]:
    """Every active service, and every service the person is in, with their latest enrolment.

    Three queries whatever the number of services or enrolments: services
    with their purpose, the purposes' data categories (skipped where the page
    does not show them), the person's enrolments. Without the categories (the
    dashboard's panel) the services come from the process's copy: one query.
    ``read_enrolments=False``: the caller knows the person never enrolled (no query at all).
    """
    enrolments: dict[int, ServiceEnrolment] = {}
    # The queryset only when it is read: building it costs the dashboard's panel more than its rows.
    if read_enrolments:
        latest_first = ServiceEnrolment.objects.filter(user=subject).order_by("-enrolled_at", "-id").defer("data")
        for latest in latest_first:
            enrolments.setdefault(latest.service_id, latest)
    services: Iterable[OptionalService]
    if with_categories:
        services = (
            OptionalService.objects.select_related("purpose")
            .order_by("purpose__display_order", "code")
            .prefetch_related("purpose__data_categories")
        )
    else:
        services = optional_services_table.get()
    rows = []
    for service in services:
        enrolment = enrolments.get(service.pk)
        open_enrolment = enrolment is not None and enrolment.state == ServiceEnrolment.State.ENROLLED
        if service.active or open_enrolment:
            rows.append(ServiceRow(service, service_fields(service=service), enrolment))
    return rows
