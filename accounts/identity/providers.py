"""Real-name verification providers.

The portal asks one question of a provider: do this name and this resident
ID number belong together? ``IDENTITY_PROVIDER`` names the class (a dotted
path); a real provider subclasses ``IdentityProvider`` and plugs in through
settings, the sandbox serves development and tests.

A provider that cannot answer (timeout, connection refused, an outage on
its side) raises ``ProviderUnavailable``. The portal turns that, and any
``TimeoutError`` or ``ConnectionError`` that escapes a provider, into the
outcome "unavailable": the person is asked to try later and loses nothing.
"""

import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from accounts.models import IdentityVerificationAttempt, SandboxIdentity
from core.encryption import blind_index

Outcome = IdentityVerificationAttempt.Outcome


class ProviderUnavailable(Exception):
    """The provider could not answer now; asking again later may work."""


@dataclass(frozen=True)
class VerificationResult:
    """A provider's answer. ``reference`` is the provider's id for the check, never personal data."""

    outcome: str
    reference: str = ""

    @property
    def matched(self) -> bool:
        return self.outcome == Outcome.MATCH


class IdentityProvider:
    """The interface every real-name provider implements."""

    #: Short name stored with each attempt (``IdentityVerificationAttempt.provider``).
    name = "provider"
    #: What a person reads for it (in their export): who checked their name and ID number.
    label = _("Real-name verification provider")

    def verify_identity(self, name: str, id_number: str) -> VerificationResult:
        """Check ``name`` against the normalised ``id_number``.

        Return a result whose outcome is match, mismatch or not_found (or
        unavailable); raise ``ProviderUnavailable`` when no answer can be had.
        """
        raise NotImplementedError


def normalise_name(name: str) -> str:
    """Names compare after Unicode normalisation and without spaces (``张 三`` is ``张三``)."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


class SandboxProvider(IdentityProvider):
    """Answers from the registry of test identities (``SandboxIdentity``, editable in admin)."""

    name = "sandbox"
    label = _("Test register of identities (sandbox)")

    def verify_identity(self, name: str, id_number: str) -> VerificationResult:
        reference = f"sandbox-{secrets.token_hex(8)}"
        entry = SandboxIdentity.objects.filter(id_number_hash=blind_index(id_number.upper())).first()
        if entry is None:
            return VerificationResult(Outcome.NOT_FOUND, reference)
        if entry.behaviour == SandboxIdentity.Behaviour.UNAVAILABLE:
            return VerificationResult(Outcome.UNAVAILABLE, reference)
        if normalise_name(entry.legal_name) != normalise_name(name):
            return VerificationResult(Outcome.MISMATCH, reference)
        return VerificationResult(Outcome.MATCH, reference)


def get_provider() -> IdentityProvider:
    """The configured provider, read from settings on each call (tests may change it)."""
    return import_string(settings.IDENTITY_PROVIDER)()


def provider_labels() -> dict[str, object]:
    """Short name -> words, for the configured provider and the sandbox (older attempts may name either)."""
    providers = [SandboxProvider, import_string(settings.IDENTITY_PROVIDER)]
    return {provider.name: provider.label for provider in providers}
