"""Keep the staff role groups in step with the permission matrix after every ``migrate``."""

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .services import staff_groups_sync


def _last_migrated_app_label() -> str:
    return [config for config in apps.get_app_configs() if config.models_module is not None][-1].label


@receiver(post_migrate, dispatch_uid="accounts.staff.sync_groups")
def sync_staff_groups(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    # post_migrate is sent once per app, in INSTALLED_APPS order, and each
    # app's permissions are created by its own sending. Syncing on the last
    # app sees every permission, including those of apps added later.
    if sender.label != _last_migrated_app_label():
        return
    if not router.allow_migrate_model(using, Group):
        return
    staff_groups_sync(using=using)
