"""The principal behind a bearer token, cached so a warm API call spends no query on it.

The cache entry is keyed by the token's SHA-256 (the same checksum
django-oauth-toolkit looks tokens up by; the token itself is never a key or a
value) and lives at most ``SERVICE_PRINCIPAL_CACHE_SECONDS`` and never past the
token's expiry. Revoking a token, deactivating a client, rotating its secret or
changing its scopes deletes the tokens, and the ``post_delete`` receiver
(``receivers.py``) deletes their entries, so a cached token stops working at
once.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from oauth2_provider.models import get_access_token_model

from core.process_cache import request_generations_with

KEY_PREFIX = "service-principal:v1:"
# Token checksum -> its client's application id, for the tokens this process has seen (bounded).
APPLICATIONS_KEPT = 10_000
_applications: dict[str, int] = {}


@dataclass(frozen=True)
class ServiceToken:
    """What a valid access token stands for; ``request.auth`` on a service call."""

    token_checksum: str
    application_id: int
    service_client_id: int
    client_id: str
    scopes: frozenset[str]
    expires_at: float  # Unix time

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class TokenRefused(Exception):
    """Why a bearer token does not authenticate; ``reason`` is ``unknown``, ``expired`` or ``inactive``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def token_checksum(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cache_key(checksum: str) -> str:
    return KEY_PREFIX + checksum


def principal_forget(checksum: str) -> None:
    cache.delete(cache_key(checksum))


def service_token_resolve(
    token: str, *, counter_for: Callable[[int], tuple[str, int]] | None = None
) -> tuple[ServiceToken, tuple[str, int] | None]:
    """The principal of a bearer token, from the cache or (once a minute) the database; and a count.

    Raises ``TokenRefused`` for an unknown, revoked or expired token, or one of
    a deactivated client. Refusals are not cached: they are rare, and a cached
    "no" would outlive nothing useful.

    ``counter_for(application id)`` names a window counter (key, timeout) to
    count this call in, in the same round trip as the principal: it is used
    when this process has seen the token before, and so knows its client
    (which a token never changes). The second value is then ``(key, new
    count)``, else None.
    """
    checksum = token_checksum(token)
    key = cache_key(checksum)
    now = time.time()
    application_id = _applications.get(checksum) if counter_for is not None else None
    count = counter_for(application_id) if counter_for is not None and application_id is not None else None
    # With the process tables' generations: the check's purpose lookup then costs no round trip of its own.
    found, new_count = request_generations_with([key], count=count)
    counted = None if count is None or new_count is None else (count[0], new_count)
    principal = found.get(key)
    if isinstance(principal, ServiceToken):
        if principal.expires_at > now:
            _application_remember(checksum, principal.application_id)
            return principal, counted
        cache.delete(key)
    row = (
        get_access_token_model()
        .objects.select_related("application__service_client")
        .filter(token_checksum=checksum)
        .first()
    )
    if row is None or row.application is None:
        raise TokenRefused("unknown")
    client = getattr(row.application, "service_client", None)
    if client is None:
        raise TokenRefused("unknown")
    if not client.active:
        raise TokenRefused("inactive")
    expires_at = row.expires.timestamp()
    if expires_at <= now:
        raise TokenRefused("expired")
    # A token narrower than the client's current scopes keeps its own; one wider (the client
    # lost a scope) cannot happen, since a scope change revokes the tokens, but the
    # intersection makes that true here too.
    principal = ServiceToken(
        token_checksum=checksum,
        application_id=row.application_id,
        service_client_id=client.pk,
        client_id=row.application.client_id,
        scopes=frozenset(row.scope.split()) & frozenset(client.scopes),
        expires_at=expires_at,
    )
    ttl = min(settings.SERVICE_PRINCIPAL_CACHE_SECONDS, int(expires_at - now))
    if ttl > 0:
        cache.set(key, principal, ttl)
    _application_remember(checksum, principal.application_id)
    return principal, counted


def _application_remember(checksum: str, application_id: int) -> None:
    # Only which client a token belongs to, never whether it is valid: that is asked every call.
    if checksum not in _applications:
        if len(_applications) >= APPLICATIONS_KEPT:
            _applications.clear()
        _applications[checksum] = application_id
