from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from .scopes import CHOICES


class ServiceClient(models.Model):
    """A platform service allowed to call the API, with the scopes a privacy officer gave it.

    Its credentials live in the django-oauth-toolkit ``Application`` beside it
    (confidential, client credentials only, secret hashed). Changes go through
    ``accounts.service_clients.services``, which audit them and revoke the
    tokens a change makes wrong.
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        verbose_name=_("OAuth application"),
        on_delete=models.PROTECT,
        related_name="service_client",
        editable=False,
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    scopes = ArrayField(models.CharField(max_length=40, choices=CHOICES), verbose_name=_("scopes"), default=list)
    # A deactivated client gets no token and its tokens are revoked at once; it is kept, not
    # deleted, so the audit log and webhook history keep pointing at it.
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(_("secret last rotated"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service client")
        verbose_name_plural = _("service clients")

    def __str__(self):
        return self.name

    @property
    def client_id(self) -> str:
        return self.application.client_id
