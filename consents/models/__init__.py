"""Consent models, one concept a module."""

from .disclosures import Disclosure, DisclosureSubject  # noqa: F401 - issue #6, see models/disclosures.py
from .face import StrongVerification
from .ledger import ConsentAction, ConsentChannel, ConsentEvent, ConsentReport, ConsentState, ConsentSubject
from .location import LocationRecord
from .optional_services import OptionalService, ServiceEnrolment
from .personalisation import InterestTag
from .policy import PolicyDisplay, PolicyVersion
from .service_usage import ServiceCheckDay
from .taxonomy import DataCategory, LegalBasis, Partner, PartnerKind, Purpose, PurposeKind

__all__ = [
    "ConsentAction",
    "ConsentChannel",
    "ConsentEvent",
    "ConsentReport",
    "ConsentState",
    "ConsentSubject",
    "DataCategory",
    "InterestTag",
    "LocationRecord",
    "OptionalService",
    "LegalBasis",
    "Partner",
    "PartnerKind",
    "PolicyDisplay",
    "PolicyVersion",
    "Purpose",
    "PurposeKind",
    "ServiceCheckDay",
    "ServiceEnrolment",
    "StrongVerification",
]
