"""Reads about service clients."""

from django.db.models import QuerySet
from rest_framework.request import Request

from .models import ServiceClient
from .principal import ServiceToken


def service_clients_with_scope(scope: str) -> QuerySet[ServiceClient]:
    """Active clients holding ``scope`` (those to notify, e.g. of an erasure), by name."""
    return ServiceClient.objects.filter(active=True, scopes__contains=[scope]).select_related("application")


def service_client_for_request(request: Request) -> ServiceClient | None:
    """The client behind a service call (one query), or None for a person's call."""
    principal = getattr(request, "auth", None)
    if not isinstance(principal, ServiceToken):
        return None
    return ServiceClient.objects.select_related("application").filter(pk=principal.service_client_id).first()
