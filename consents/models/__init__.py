"""Consent models, one concept a module."""

from .ledger import ConsentAction, ConsentChannel, ConsentEvent, ConsentState, ConsentSubject
from .policy import PolicyDisplay, PolicyVersion
from .taxonomy import DataCategory, LegalBasis, Partner, PartnerKind, Purpose, PurposeKind

__all__ = [
    "ConsentAction",
    "ConsentChannel",
    "ConsentEvent",
    "ConsentState",
    "ConsentSubject",
    "DataCategory",
    "LegalBasis",
    "Partner",
    "PartnerKind",
    "PolicyDisplay",
    "PolicyVersion",
    "Purpose",
    "PurposeKind",
]
