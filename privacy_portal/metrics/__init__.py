"""The Prometheus endpoint: request metrics (django-prometheus) and the portal's own gauges."""
