"""The ASGI application; like wsgi.py, production unless told otherwise, and checked at start."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_portal.settings.production")

application = get_asgi_application()

from privacy_portal.startup import deploy_checks_enforce  # noqa: E402 - needs the apps loaded

deploy_checks_enforce(process="web")
