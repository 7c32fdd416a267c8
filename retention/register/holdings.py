"""Where each data category of the policy is kept: the bridge from the catalogue to the tables.

The policy's data categories (``consents.DataCategory``: contact, identity,
location, …) describe information; retention rules and field encryption
work on models. The register needs both, so this table says, per category,
which model holds it and, where a model holds several categories, which of
its fields. From it the register reads the rules that expire those models
and the safeguards the fields really have (encrypted at rest, masked in
admin); nothing about a safeguard is written here.

A category missing from this table is shown with "no retention rule";
``retention/tests/test_register.py`` fails when a seeded category is
missing or an entry names a model or field that does not exist.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Holding:
    """One model holding a category; ``fields`` empty means every field of the row belongs to it."""

    model: str
    fields: tuple[str, ...] = ()


HOLDINGS: dict[str, tuple[Holding, ...]] = {
    "contact": (
        Holding("accounts.user", ("email", "phone")),
        Holding("account.emailaddress", ("email",)),
        Holding("notifications.outboxemail", ("to_address",)),
    ),
    "identity": (
        Holding("accounts.identityprofile", ("legal_name", "id_number", "birth_date")),
        Holding("accounts.identityverificationattempt"),
    ),
    # The portal keeps the partner's answer and reference only, never a face image or template.
    "biometric": (Holding("consents.strongverification"),),
    "financial": (Holding("accounts.identityprofile", ("bank_card",)),),
    "business": (Holding("accounts.identityprofile", ("organisation_name", "uscc", "legal_representative")),),
    "location": (Holding("consents.locationrecord"),),
    "usage": (
        Holding("accounts.loginactivity"),
        Holding("usersessions.usersession"),
        Holding("consents.servicecheckday"),
    ),
    "device": (
        Holding("accounts.loginactivity", ("user_agent", "ip_prefix")),
        Holding("usersessions.usersession", ("user_agent", "ip")),
    ),
    "preferences": (Holding("accounts.user", ("language",)),),
    "interests": (Holding("consents.interesttag"),),
    "service_records": (Holding("consents.serviceenrolment", ("data",)),),
    "address": (Holding("accounts.delivery", ("recipient_name", "mobile", "region", "street")),),
}
