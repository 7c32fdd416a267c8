"""Open every admin page as a superuser who passed the second factor, and say what each answered.

Used twice: in the suite on PostgreSQL (``privacy_portal/tests/test_admin_pages.py``) and, through
``python -m tests.admin_pages``, in a process of its own on SQLite with the demo data, because
``make run`` serves admin on SQLite and a query only PostgreSQL can run is a 500 there.
"""

import json
import os
import re
import sys

# Parameters of a URL pattern (``<path:object_id>``) or a regex group: such pages need an object.
_PARAMETER = re.compile(r"<[^>]+>|\(\?P?<|\[")


def _parameterless_paths(patterns, prefix: str) -> list[str]:
    paths = []
    for pattern in patterns:
        text = str(pattern.pattern).lstrip("^").rstrip("$")
        if _PARAMETER.search(text):
            continue
        if hasattr(pattern, "url_patterns"):
            paths += _parameterless_paths(pattern.url_patterns, prefix + text)
        else:
            paths.append(prefix + text)
    return paths


def admin_page_paths() -> list[str]:
    """Every admin page without a parameter, plus each registered model's change page for its first row."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    paths = set(_parameterless_paths(admin.site.get_urls(), "/admin/"))
    paths.add(reverse("admin-status"))
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        try:
            paths.add(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk]))
        except NoReverseMatch:
            continue
    # Skip only the sign-out: it would end the walking session.
    return sorted(path for path in paths if not path.endswith("/logout/"))


def staff_client_signed_in():
    """A test client signed in as a new superuser whose session passed the second factor."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    user = get_user_model().objects.create_superuser(
        username="admin-page-walker", email="walker@example.gov.cn", password=None
    )
    device = StaticDevice.objects.create(user=user, name="walker")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _status(client, path: str) -> int:
    response = client.get(path)
    if response.status_code == 200 and response.streaming:
        # A streamed download (the consent report's CSV) runs its query while it is read: read it all.
        try:
            b"".join(response.streaming_content)
        except Exception:  # noqa: BLE001 - any failure while streaming is what a user would see as a broken file
            return 500
    return response.status_code


def admin_page_statuses(client) -> dict[str, int]:
    # raise_request_exception off: a failing page is a 500 in the result, not an aborted walk.
    client.raise_request_exception = False
    return {path: _status(client, path) for path in admin_page_paths()}


def _main() -> int:
    """Migrate a SQLite database (DATABASE_URL), load the demo data, open every admin page, print JSON."""
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_portal.settings.dev")
    django.setup()
    # The test client's host, and mail kept in memory, as in the suite.
    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", verbosity=0, stdout=quiet)
    statuses = admin_page_statuses(staff_client_signed_in())
    print(json.dumps(statuses))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
