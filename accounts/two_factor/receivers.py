"""Forget the cached "two-factor on?" answer whenever a person's devices change.

The services forget it themselves too (some of their writes, ``update`` and
``bulk_create``, send no signal); these receivers cover admin and any other
path through the models.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .selectors import two_factor_enabled_forget


@receiver(post_save, sender=TOTPDevice, dispatch_uid="two_factor.forget.totp_saved")
@receiver(post_delete, sender=TOTPDevice, dispatch_uid="two_factor.forget.totp_deleted")
@receiver(post_save, sender=EmailDevice, dispatch_uid="two_factor.forget.email_saved")
@receiver(post_delete, sender=EmailDevice, dispatch_uid="two_factor.forget.email_deleted")
@receiver(post_save, sender=StaticDevice, dispatch_uid="two_factor.forget.static_saved")
@receiver(post_delete, sender=StaticDevice, dispatch_uid="two_factor.forget.static_deleted")
def device_changed(sender, instance, **kwargs):
    two_factor_enabled_forget(user_id=instance.user_id)


@receiver(post_save, sender=StaticToken, dispatch_uid="two_factor.forget.static_token_saved")
@receiver(post_delete, sender=StaticToken, dispatch_uid="two_factor.forget.static_token_deleted")
def recovery_code_changed(sender, instance, **kwargs):
    # A used recovery code is deleted; the last one gone may turn two-factor off.
    try:
        user_id = instance.device.user_id
    except StaticDevice.DoesNotExist:
        return
    two_factor_enabled_forget(user_id=user_id)
