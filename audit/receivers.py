"""Every configured partition has its head row after each ``migrate`` (and each test flush)."""

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .partitions import partition_count


@receiver(post_migrate, dispatch_uid="audit.partition_heads")
def create_partition_heads(sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    # So that no audited write pays two more queries for creating its partition's head: a
    # write then always costs the same, which query-count tests of services rely on. Heads
    # of partitions added later by a larger AUDIT_CHAIN_PARTITIONS are made on the next
    # migrate, or by their first event.
    if sender.label != "audit" or apps is None:
        return
    try:
        head = apps.get_model("audit", "AuditChainHead")
    except LookupError:  # migrated back to before the audit app
        return
    if "partition" not in {field.name for field in head._meta.fields}:
        return
    head.objects.using(using).bulk_create(
        [head(partition=partition) for partition in range(partition_count())], ignore_conflicts=True
    )
