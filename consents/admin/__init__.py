"""Consents in admin: the catalogue privacy officers maintain, and read-only records.

Privacy officers manage purposes, partners, policy versions and optional
services. Purposes and partners are created and changed through
``consents.catalogue_services``, never a plain save: narrowing applies at
once, widening raises the purpose's version so older consents stop covering it.
A policy version is written as a draft and published with the "publish"
action, which queues its announcement; once published, its text is fixed.
The ledger, the current states, what was shown, enrolments and level-3
checks are written by services only; they show ids and codes, never a
person's values. Staff record an in-person check at a service counter on
its own page.

One module per concept; importing them here registers their model admins
when Django's admin autodiscovery imports ``consents.admin``:

- ``purposes``: data categories and purposes;
- ``partners``: partners and their agreements;
- ``policy``: policy versions and their publication;
- ``ledger``: the consent ledger, current states and policy displays;
- ``optional_services``: optional services and enrolments;
- ``verification``: level-3 checks and the counter-check page;
- ``reporting``: the consent report and its CSV (``consents.reporting``).
"""

# The disclosure ledger's admin lives with its feature; importing it registers DisclosureAdmin.
from ..disclosures import admin as disclosures_admin  # noqa: F401
from .ledger import ConsentEventAdmin, ConsentStateAdmin, PolicyDisplayAdmin
from .optional_services import OptionalServiceAdmin, OptionalServiceForm, ServiceEnrolmentAdmin
from .partners import AgreementInForceFilter, PartnerAdmin
from .policy import POLICY_TEXT_FIELDS, PolicyVersionAdmin, PolicyVersionForm
from .purposes import DataCategoryAdmin, PurposeAdmin, PurposeForm
from .reporting import ConsentReportAdmin
from .verification import StrongVerificationAdmin

__all__ = [
    "POLICY_TEXT_FIELDS",
    "AgreementInForceFilter",
    "ConsentEventAdmin",
    "ConsentReportAdmin",
    "ConsentStateAdmin",
    "DataCategoryAdmin",
    "OptionalServiceAdmin",
    "OptionalServiceForm",
    "PartnerAdmin",
    "PolicyDisplayAdmin",
    "PolicyVersionAdmin",
    "PolicyVersionForm",
    "PurposeAdmin",
    "PurposeForm",
    "ServiceEnrolmentAdmin",
    "StrongVerificationAdmin",
]
