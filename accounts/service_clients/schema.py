"""The OAuth2 client credentials scheme in the OpenAPI schema, with each service operation's scope.

Imported by ``AccountsConfig.ready()`` so drf-spectacular finds the extensions.
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme

from .permissions import HasServiceScope
from .scopes import scope_descriptions

TOKEN_URL = "/o/token/"  # noqa: S105 - a path, not a secret


def _required_scopes(auto_schema) -> list[str]:
    return [
        permission.scope for permission in auto_schema.view.get_permissions() if isinstance(permission, HasServiceScope)
    ]


class ServiceClientScheme(DjangoOAuthToolkitScheme):
    target_class = "accounts.service_clients.authentication.ServiceClientAuthentication"
    name = "oauth2"

    def get_security_requirement(self, auto_schema):
        scopes = _required_scopes(auto_schema)
        # An operation for people names no OAuth2 requirement: a service token opens none of them.
        return [{self.name: scopes}] if scopes else []

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": (
                "Platform services: a client registered by a privacy officer trades its client id and "
                "secret (HTTP Basic) for a bearer token at /o/token/ (grant_type=client_credentials). "
                "Tokens live at most an hour. See docs/api.md."
            ),
            "flows": {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": scope_descriptions()}},
        }


class PeopleOnlySessionScheme(SessionScheme):
    """The session cookie, except on operations for services only (a session is refused there)."""

    priority = 1

    def get_security_requirement(self, auto_schema):
        if _required_scopes(auto_schema):
            return []
        return super().get_security_requirement(auto_schema)
