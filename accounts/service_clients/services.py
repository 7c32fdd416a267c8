"""Registering, changing, deactivating service clients and rotating their secrets; each audited.

Every change that makes existing tokens wrong (deactivation, a rotated secret,
a narrower set of scopes) revokes them in the same transaction; the token
receiver (``receivers.py``) drops them from the principal cache, so they stop
working at once rather than when they expire.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model, get_application_model

from accounts.models import User
from audit.services import audit_record

from .models import ServiceClient
from .scopes import SCOPES

ADD_PERMISSION = "accounts.add_serviceclient"
CHANGE_PERMISSION = "accounts.change_serviceclient"


def _require(actor: User, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You may not manage service clients."))


def service_client_scope_problems(scopes: Iterable[str]) -> list[str]:
    """Why a set of scopes cannot be given (unknown codes, none at all); the admin form shows these."""
    scopes = list(scopes)
    problems = []
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        problems.append(_("Unknown scope: %(codes)s.") % {"codes": ", ".join(unknown)})
    if not scopes:
        problems.append(_("Choose at least one scope."))
    return problems


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    problems = service_client_scope_problems(scopes)
    if problems:
        raise ValidationError({"scopes": problems})
    # Kept in the order of scopes.py, so a change of order is no change.
    return [code for code in SCOPES if code in scopes]


def _tokens_revoke(client: ServiceClient) -> int:
    tokens = get_access_token_model().objects.filter(application_id=client.application_id)
    # One by one, so the post_delete receiver forgets each token's cached principal.
    revoked = 0
    for token in tokens.only("id", "token_checksum", "application_id").iterator():
        token.delete()
        revoked += 1
    return revoked


def service_client_register(*, actor: User, name: str, scopes: Iterable[str]) -> tuple[ServiceClient, str]:
    """Register a service; returns the client and its secret, which is shown once and kept only hashed."""
    _require(actor, ADD_PERMISSION)
    scopes = _clean_scopes(scopes)
    application_model = get_application_model()
    secret = generate_client_secret()
    with transaction.atomic():
        application = application_model.objects.create(
            name=name,
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
            redirect_uris="",
        )
        client = ServiceClient.objects.create(application=application, name=name, scopes=scopes)
        audit_record(actor=actor, action="service_client.registered", target=client, details={"scopes": list(scopes)})
    return client, secret


def service_client_update(*, actor: User, client: ServiceClient, name: str, scopes: Iterable[str]) -> ServiceClient:
    """Rename a client or change its scopes; a scope taken away revokes its tokens."""
    _require(actor, CHANGE_PERMISSION)
    scopes = _clean_scopes(scopes)
    with transaction.atomic():
        client = ServiceClient.objects.select_for_update().get(pk=client.pk)
        removed = sorted(set(client.scopes) - set(scopes))
        added = sorted(set(scopes) - set(client.scopes))
        renamed = client.name != name
        if not (removed or added or renamed):
            return client
        client.name = name
        client.scopes = scopes
        client.save(update_fields=["name", "scopes"])
        get_application_model().objects.filter(pk=client.application_id).update(name=name)
        revoked = _tokens_revoke(client) if removed else 0
        audit_record(
            actor=actor,
            action="service_client.changed",
            target=client,
            details={"scopes_added": added, "scopes_removed": removed, "renamed": renamed, "tokens_revoked": revoked},
        )
    return client


def service_client_deactivate(*, actor: User, client: ServiceClient) -> ServiceClient:
    """Stop a client at once: no new tokens, and its tokens revoked."""
    _require(actor, CHANGE_PERMISSION)
    with transaction.atomic():
        client = ServiceClient.objects.select_for_update().get(pk=client.pk)
        if not client.active:
            return client
        client.active = False
        client.deactivated_at = timezone.now()
        client.save(update_fields=["active", "deactivated_at"])
        revoked = _tokens_revoke(client)
        audit_record(
            actor=actor, action="service_client.deactivated", target=client, details={"tokens_revoked": revoked}
        )
    return client


def service_client_reactivate(*, actor: User, client: ServiceClient) -> ServiceClient:
    _require(actor, CHANGE_PERMISSION)
    with transaction.atomic():
        client = ServiceClient.objects.select_for_update().get(pk=client.pk)
        if client.active:
            return client
        client.active = True
        client.deactivated_at = None
        client.save(update_fields=["active", "deactivated_at"])
        audit_record(actor=actor, action="service_client.reactivated", target=client, details={})
    return client


def service_client_secret_rotate(*, actor: User, client: ServiceClient) -> str:
    """A new secret, shown once; the old one and every token issued with it stop working now.

    Rotation is what one does when a secret may have leaked, so tokens
    obtained with it are revoked too rather than left to expire.
    """
    _require(actor, CHANGE_PERMISSION)
    secret = generate_client_secret()
    with transaction.atomic():
        client = ServiceClient.objects.select_for_update().select_related("application").get(pk=client.pk)
        application = client.application
        application.client_secret = secret
        application.save(update_fields=["client_secret", "updated"])
        client.secret_rotated_at = timezone.now()
        client.save(update_fields=["secret_rotated_at"])
        revoked = _tokens_revoke(client)
        audit_record(
            actor=actor, action="service_client.secret_rotated", target=client, details={"tokens_revoked": revoked}
        )
    return secret
