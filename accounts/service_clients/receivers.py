"""A token deleted for any reason (revocation, deactivation, rotation) leaves the cache at once."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.models import get_access_token_model

from .principal import principal_forget


@receiver(post_delete, sender=get_access_token_model())
@receiver(post_save, sender=get_access_token_model())
def access_token_forget(sender, instance, **kwargs):
    checksum = instance.token_checksum
    if not checksum:
        return
    principal_forget(checksum)
    # Again after commit: a request that read the row before it went may have cached it since.
    transaction.on_commit(lambda: principal_forget(checksum))
