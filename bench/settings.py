"""The production settings with the benchmark's own URLconf: for gunicorn in ``python -m bench http`` only.

The only difference is ``ROOT_URLCONF``: ``bench.urls`` adds the bare view the
``http`` benchmark measures the framework's floor with. No deployment names
this module; the portal's own URLconf never holds that route (tests/test_bench.py).
"""

from privacy_portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
