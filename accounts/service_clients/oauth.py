"""django-oauth-toolkit hooks: which scopes a client may ask for, and which clients get a token.

Named in ``OAUTH2_PROVIDER`` (settings/base.py). The token endpoint is the
only OAuth2 endpoint mounted (``urls.py``), and every application is created
by ``service_client_register`` for the client credentials grant alone.
"""

from django.core.exceptions import ObjectDoesNotExist
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from .scopes import scope_descriptions


def _service_client(application):
    if application is None:
        return None
    try:
        return application.service_client
    except ObjectDoesNotExist:
        return None


class ServiceClientScopes(BaseScopes):
    """A client may ask for the scopes a privacy officer gave it, and gets all of them by default."""

    def get_all_scopes(self):
        return scope_descriptions()

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = _service_client(application)
        if client is None or not client.active:
            return []
        return list(client.scopes)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request, *args, **kwargs)


class ServiceClientValidator(OAuth2Validator):
    def authenticate_client(self, request, *args, **kwargs):
        """A right secret is not enough: the application must be an active service client.

        A deactivated client is answered ``invalid_client`` (401), the same as a
        wrong secret, so its caller learns nothing more than "these credentials
        no longer work".
        """
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        client = _service_client(request.client)
        return client is not None and client.active
