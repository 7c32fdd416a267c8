"""The dashboard's per-person facts as one fixed SQL statement, written once per process.

The ORM builds this query anew on every view: the profile join, two
``EXISTS`` and a counting subquery cost more to compile (resolving and copying
expressions) than the database takes to answer them, on the portal's busiest
personal page (#13). The statement depends only on the models, so it is
composed from their table and column names the first time it is needed and
then executed with the person's id; the profile's columns go through their
fields' own converters (decryption included), as the ORM would do.
"""

import functools
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import Field

from accounts.models import GuardianLink, IdentityProfile, User
from consents.models import DisclosureSubject, InterestTag, LocationRecord, ServiceEnrolment, StrongVerification
from core.prepared import prepared_cursor


@dataclass(frozen=True)
class PersonFacts:
    profile: IdentityProfile | None  # None: the person has no profile row yet
    contact_verified: bool
    location_records: int
    has_wards: bool
    # Whether the person has any row a panel lists: most have none, and then the panel reads nothing.
    has_disclosures: bool
    has_strong_checks: bool
    has_interest_tags: bool
    has_enrolments: bool
    # The primary address's confirmation alone (the signed-in home's first step).
    email_verified: bool = False


# The panels' own tables, probed in the same statement (in this order).
PANEL_TABLES = (DisclosureSubject, StrongVerification, InterestTag, ServiceEnrolment)


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[Field, ...]
    expressions: tuple  # per profile field, its column as the converters expect it
    converters: tuple[tuple, ...]  # per profile field, the functions from database value to Python value
    pk_index: int


@functools.cache
def _statement(vendor: str) -> _Statement:
    q = connection.ops.quote_name

    def table(model) -> str:
        return q(model._meta.db_table)

    def column(model, name: str) -> str:
        return q(model._meta.get_field(name).column)

    fields = tuple(IdentityProfile._meta.concrete_fields)
    profile_columns = ", ".join(f"p.{q(field.column)}" for field in fields)
    user_pk = column(User, "id")
    # Only model table and column names go into the text (quoted); the values are parameters.
    sql = (
        f"SELECT u.{column(User, 'phone_verified')},"  # noqa: S608
        f" EXISTS (SELECT 1 FROM {table(EmailAddress)} e"
        f" WHERE e.{column(EmailAddress, 'user')} = u.{user_pk} AND e.{column(EmailAddress, 'verified')}),"
        f" (SELECT COUNT(*) FROM {table(LocationRecord)} l WHERE l.{column(LocationRecord, 'user')} = u.{user_pk}),"
        f" EXISTS (SELECT 1 FROM {table(GuardianLink)} g JOIN {table(User)} m"
        f" ON m.{user_pk} = g.{column(GuardianLink, 'minor')}"
        f" WHERE g.{column(GuardianLink, 'guardian')} = u.{user_pk} AND g.{column(GuardianLink, 'state')} = %s"
        f" AND m.{column(User, 'is_active')} AND m.{column(User, 'is_minor')}),"
        + "".join(
            f" EXISTS (SELECT 1 FROM {table(model)} x WHERE x.{column(model, 'user')} = u.{user_pk}),"  # noqa: S608
            for model in PANEL_TABLES
        )
        + f" {profile_columns}"
        f" FROM {table(User)} u LEFT JOIN {table(IdentityProfile)} p"
        f" ON p.{column(IdentityProfile, 'user')} = u.{user_pk}"
        f" WHERE u.{user_pk} = %s"
    )
    expressions = tuple(field.get_col(IdentityProfile._meta.db_table) for field in fields)
    converters = tuple(
        (*connection.ops.get_db_converters(expression), *field.get_db_converters(connection))
        for field, expression in zip(fields, expressions, strict=True)
    )
    return _Statement(
        sql=sql,
        fields=fields,
        expressions=expressions,
        converters=converters,
        pk_index=fields.index(IdentityProfile._meta.pk),
    )


def person_facts(*, user: User) -> PersonFacts | None:
    """Profile, contact check, stored locations and whether the person has wards: one query (None: no such user)."""
    statement = _statement(connection.vendor)
    with prepared_cursor(connection) as cursor:
        cursor.execute(statement.sql, [GuardianLink.State.CONFIRMED, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    phone_verified, email_verified, location_records, has_wards, *rest = row
    panels, values = rest[: len(PANEL_TABLES)], rest[len(PANEL_TABLES) :]
    profile = None
    if values[statement.pk_index] is not None:  # NULL when the join found no profile row
        converted = []
        for expression, value, converters in zip(statement.expressions, values, statement.converters, strict=True):
            for convert in converters:
                value = convert(value, expression, connection)
            converted.append(value)
        profile = IdentityProfile.from_db(connection.alias, [field.attname for field in statement.fields], converted)
        profile.user = user
    return PersonFacts(
        profile=profile,
        contact_verified=bool(phone_verified or email_verified),
        location_records=int(location_records or 0),
        has_wards=bool(has_wards),
        has_disclosures=bool(panels[0]),
        has_strong_checks=bool(panels[1]),
        has_interest_tags=bool(panels[2]),
        has_enrolments=bool(panels[3]),
        email_verified=bool(email_verified),
    )
