"""Staff-side reads: finding a person by keyed hash, reaching a revealable field."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from accounts.validators import clean_id_number, clean_mobile
from core.encryption import blind_index

from .masked_fields import is_revealable


@dataclass(frozen=True)
class NumberSearch:
    """A search term recognised as an ID or mobile number, reduced to its keyed hash."""

    kind: str  # "id_number" or "phone"
    digest: str


def number_search_for(term: str) -> NumberSearch | None:
    """Recognise a whole mobile or resident ID number in ``term``.

    Normalised the way it was stored (``+86``, spaces and dashes dropped; ID
    numbers upper-cased) and then hashed: the lookup is an exact match on the
    hash column, so no row is decrypted and a partial number finds nobody.
    """
    term = (term or "").strip()
    if not term:
        return None
    try:
        return NumberSearch("phone", blind_index(clean_mobile(term)))
    except ValidationError:
        pass
    try:
        return NumberSearch("id_number", blind_index(clean_id_number(term)))
    except ValidationError:
        return None


def search_by_number(
    queryset: models.QuerySet, *, term: str, id_number_hash_path: str, phone_hash_path: str
) -> models.QuerySet | None:
    """Filter ``queryset`` by the keyed hash of ``term``; None when ``term`` is no whole number."""
    search = number_search_for(term)
    if search is None:
        return None
    path = id_number_hash_path if search.kind == "id_number" else phone_hash_path
    return queryset.filter(**{path: search.digest})


def access_revealable(*, queryset: models.QuerySet, object_id: str, field: str) -> models.Model:
    """The object whose ``field`` staff asked to reveal, or 404 (unknown object or field)."""
    if not is_revealable(queryset.model, field):
        raise Http404
    try:
        return queryset.get(pk=object_id)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
