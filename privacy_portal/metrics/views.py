"""``GET /metrics``: for the Prometheus server only.

The figures are operational, not personal, but they describe the portal's
inside (queue sizes, failures, verification results), so the endpoint
answers only a scraper that presents ``METRICS_TOKEN`` as a bearer token or
comes from an address in ``METRICS_ALLOWED_IPS``. With neither configured it
does not exist (404); a caller that is not allowed gets 403.

Under gunicorn every worker process keeps its own request counters. With
``PROMETHEUS_MULTIPROC_DIR`` set (the same directory for every process of a
host, emptied when the service starts) prometheus_client writes them to
files there, and a scrape of any process adds up all of them.
"""

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from .collector import PortalCollector


def _token_ok(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _sep, presented = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip(), token)


def _address_ok(request) -> bool:
    # The direct peer: a scraper talks to the app server, or to nginx on the same host.
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_IPS)


def _request_metrics() -> bytes:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@never_cache
@require_GET
def metrics(request):
    if not settings.METRICS_TOKEN and not settings.METRICS_ALLOWED_IPS:
        raise Http404
    if not (_token_ok(request) or _address_ok(request)):
        return HttpResponseForbidden(_("Metrics are only for the monitoring system."), content_type="text/plain")
    portal = CollectorRegistry()
    portal.register(PortalCollector())
    return HttpResponse(_request_metrics() + generate_latest(portal), content_type=CONTENT_TYPE_LATEST)
