"""The error answers every API operation can give, added to the OpenAPI schema in one place.

drf-spectacular lists only the answers a view declares, so a client reading the schema would
not learn that any operation can be refused or throttled. This hook adds, to each operation that
does not already describe them, only the answers the portal really gives there (and gives an error a
view declares by description alone the shared body):

- 401: the first authenticator is the services' OAuth2 bearer token (accounts/service_clients),
  so a call without credentials, or with a malformed, unknown, revoked or expired token, is
  answered 401 with ``WWW-Authenticate: Bearer``;
- 403: signed in (or a valid token) but not allowed: a citizen on a service operation, a service
  token on a citizen's or without the scope; the middleware also answers 403 before a second
  factor is entered, while an account cancellation is open and while a changed policy awaits
  acceptance, on every API path;
- 429: every view is throttled (per user, per address, or by scope);
- 400: a request body that is not JSON, too large, too deep or fails validation;
- 404: an object not found, a path parameter that does not match, or a page past the end.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import PolymorphicProxySerializer

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error. `detail` says what went wrong; a refused body has a list of messages under "
        "each field's name instead. `request_id` is the id to quote to the hotline."
    ),
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "request_id": {"type": "string"},
    },
    "required": ["request_id"],
    # Field errors (a list of messages, or an object for a nested field) and the links some
    # refusals carry (where to enter the second factor, which policy to accept).
    "additionalProperties": {
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
        ]
    },
}

DESCRIPTIONS = {
    "401": (
        "No credentials, or a malformed, unknown, revoked or expired access token, or a deactivated "
        "service client (services: get a new token at /o/token/)."
    ),
    "400": "The body is not valid JSON, too large or too deeply nested, or a field is refused.",
    "403": (
        "Not signed in, not allowed, or signing in is not finished (second factor, an open "
        "account cancellation, a changed policy to accept)."
    ),
    "404": "Not found.",
    "429": "Too many requests; try again later.",
}

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _answers(operation: dict) -> list[str]:
    statuses = ["401", "403", "429"]
    if "requestBody" in operation:
        statuses.append("400")
    parameters = operation.get("parameters", [])
    if any(param.get("in") == "path" or param.get("name") == "page" for param in parameters):
        statuses.append("404")
    return statuses


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: see the module docstring."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                # An error a view declares with a description only has the shared body too.
                if status.startswith("4") and "content" not in response:
                    response["content"] = {"application/json": {"schema": reference}}
            for status in _answers(operation):
                responses.setdefault(
                    status,
                    {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": reference}}},
                )
    return result


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, where a serializer that refuses unknown fields says so.

    A serializer with ``closed = True`` answers 400 to a field it does not
    have (so a client never believes a read-only field was changed); its
    request body is then ``additionalProperties: false``. A body of variants
    (``PolymorphicProxySerializer`` with a discriminating field) is required.
    """

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # drf-spectacular reads "required" from a component's own list, which a oneOf of
        # variants has none of; every variant needs its discriminating field, so a body must come.
        if isinstance(serializer, PolymorphicProxySerializer) and serializer.resource_type_field_name:
            required = True
        return schema, required

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "closed", False):
            schema["additionalProperties"] = False
        return schema
