"""Encryption at rest for sensitive fields, and keyed hashes to find them.

Keys come from ``FIELD_ENCRYPTION_KEYS`` (Fernet keys; the first encrypts,
every one decrypts, so keys can be rotated without downtime) and
``FIELD_HMAC_KEY`` (for blind indexes). Neither is derived from SECRET_KEY:
rotating the session secret must not make personal data unreadable.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: sensitive fields cannot be stored.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def field_cipher() -> MultiFernet:
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return field_cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    return field_cipher().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """Re-encrypt ``token`` under the first (newest) key."""
    return field_cipher().rotate(token.encode("ascii")).decode("ascii")


def encrypted_with_current_key(token: str) -> bool:
    newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
    try:
        newest.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def blind_index(value: str) -> str:
    """A keyed hash of a normalised value, for exact-match lookups.

    Callers normalise first (upper-case ID numbers, digits-only phones) so
    that the same person always hashes the same way.
    """
    key = settings.FIELD_HMAC_KEY
    if not key:
        raise ImproperlyConfigured("FIELD_HMAC_KEY is empty: sensitive fields cannot be indexed.")
    return hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token; Python code sees the plaintext.

    The database (and so every dump and backup) holds only ciphertext. The
    column cannot be searched or sorted; pair it with a blind index where
    staff need to find people by the value.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        # Ciphertexts are randomised: any lookup but IS NULL would silently
        # match nothing. Search through the blind index instead.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)
