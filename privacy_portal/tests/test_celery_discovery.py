"""A task in a subpackage's ``tasks.py`` is only known to the worker if the Celery app discovers it."""

from pathlib import Path

from django.apps import apps as django_apps

from privacy_portal.celery import app


def _task_modules_on_disk() -> set[str]:
    found = set()
    for config in django_apps.get_app_configs():
        root = Path(config.path)
        if "site-packages" in root.parts:
            continue
        for path in root.rglob("tasks.py"):
            relative = path.relative_to(root.parent).with_suffix("")
            if "tests" in relative.parts:
                continue
            found.add(".".join(relative.parts))
    return found


def test_every_tasks_module_of_the_portal_is_discovered_by_the_worker():
    app.loader.import_default_modules()
    discovered = {name.rsplit(".", 1)[0] for name in app.tasks if not name.startswith("celery.")}
    on_disk = _task_modules_on_disk()
    assert on_disk, "no tasks modules found: the walk itself is broken"
    missing = sorted(on_disk - discovered)
    assert not missing, f"add these packages to app.autodiscover_tasks in privacy_portal/celery.py: {missing}"
