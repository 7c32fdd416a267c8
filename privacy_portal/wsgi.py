"""The WSGI application gunicorn serves.

Without DJANGO_SETTINGS_MODULE this is production, never the dev settings: the production
settings stop at once without their secrets, and the deploy checks stop the process on any
development backend (privacy_portal.startup).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_portal.settings.production")

application = get_wsgi_application()

from privacy_portal.startup import deploy_checks_enforce  # noqa: E402 - needs the apps loaded

deploy_checks_enforce(process="web")
