"""Encryption at rest: round trip, no plaintext in the database, key rotation."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from accounts.identity import services
from accounts.models import IdentityProfile, SandboxIdentity, User
from core import encryption
from tests.factories import UserFactory

ID_NUMBER = "110101199003071233"
BANK_CARD = "6222021234567890128"
PHONE = "13800138000"

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
KEY_C = Fernet.generate_key().decode()


def _person(phone=PHONE, id_number=ID_NUMBER, bank_card=BANK_CARD):
    user = UserFactory()
    services.identity_profile_update(
        user=user, data={"legal_name": "张三", "id_number": id_number, "phone": phone, "bank_card": bank_card}
    )
    return user


def _raw(table: str, columns: list[str], user_id: int) -> tuple:
    """The stored column values, as a database dump would show them."""
    key = "id" if table == "accounts_user" else "user_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = %s", [user_id])  # noqa: S608 - test-fixed names
        return cursor.fetchone()


def test_encrypt_decrypt_round_trip_and_randomised_tokens():
    token = encryption.encrypt("张三 440106199003071231")
    assert encryption.decrypt(token) == "张三 440106199003071231"
    assert encryption.encrypt("same") != encryption.encrypt("same"), "equal values must not look equal at rest"


def test_blind_index_is_keyed_and_stable(settings):
    first = encryption.blind_index(ID_NUMBER)
    assert first == encryption.blind_index(ID_NUMBER)
    assert ID_NUMBER not in first
    settings.FIELD_HMAC_KEY = "another-key"
    assert encryption.blind_index(ID_NUMBER) != first


@pytest.mark.django_db
def test_encrypted_fields_round_trip_through_the_database():
    user = _person()
    profile = IdentityProfile.objects.get(user=user)
    assert (profile.legal_name, profile.id_number, profile.bank_card) == ("张三", ID_NUMBER, BANK_CARD)
    assert User.objects.get(pk=user.pk).phone == PHONE


@pytest.mark.django_db
def test_a_database_dump_holds_no_plaintext_id_bank_card_or_phone():
    user = _person()
    profile_row = _raw("accounts_identityprofile", ["legal_name", "id_number", "bank_card", "id_number_hash"], user.pk)
    user_row = _raw("accounts_user", ["phone", "phone_hash"], user.pk)
    dump = " ".join(str(value) for value in (*profile_row, *user_row))
    for secret in (ID_NUMBER, BANK_CARD, PHONE, "张三", ID_NUMBER[-4:] + BANK_CARD[:4]):
        assert secret not in dump
    # The keyed hashes are there, and are what staff search by.
    assert profile_row[3] == encryption.blind_index(ID_NUMBER)
    assert user_row[1] == encryption.blind_index(PHONE)


@pytest.mark.django_db
def test_encrypted_fields_refuse_lookups_that_could_never_match():
    with pytest.raises(FieldError):
        list(IdentityProfile.objects.filter(id_number=ID_NUMBER))


def _all_values(users):
    values = []
    for user in users:
        fresh = User.objects.get(pk=user.pk)
        profile = IdentityProfile.objects.get(user=user)
        values.append((fresh.phone, profile.legal_name, profile.id_number, profile.bank_card))
    return values


@pytest.mark.django_db
def test_rotate_field_keys_re_encrypts_everything_under_the_newest_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    users = [
        _person(),
        _person(phone="13900139000", id_number="440106198506123457", bank_card="6217000000000000004"),
        _person(phone="13700137000", id_number="31010119780923567X", bank_card="6228480012345678903"),
    ]
    services.sandbox_identity_ensure(legal_name="李四", id_number="440106198506123457")
    expected = _all_values(users)

    # The new key goes first; rows written under the old one still read.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert _all_values(users) == expected
    out = io.StringIO()
    call_command("rotate_field_keys", batch_size=2, stdout=out)
    report = out.getvalue()
    assert "accounts.IdentityProfile.id_number: rotated 3, already current 0, unreadable 0" in report
    assert "accounts.User.phone: rotated 3" in report
    assert "accounts.SandboxIdentity.id_number: rotated 1" in report

    # Every token is now under B alone: dropping A loses nothing.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert _all_values(users) == expected
    assert SandboxIdentity.objects.get().id_number == "440106198506123457"
    raw_tokens = [
        token
        for user in users
        for token in _raw("accounts_identityprofile", ["legal_name", "id_number", "bank_card"], user.pk)
    ]
    assert all(encryption.encrypted_with_current_key(token) for token in raw_tokens)

    # A second run finds nothing to do.
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "Total: rotated 0" in out.getvalue()


@pytest.mark.django_db
def test_rotation_leaves_values_under_an_unknown_key_alone(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_C]
    lost = _person()
    lost_token = _raw("accounts_identityprofile", ["id_number"], lost.pk)[0]
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    kept = _person(phone="13900139000")

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_field_keys", stdout=out, stderr=err)
    assert "accounts.IdentityProfile.id_number: rotated 1, already current 0, unreadable 1" in out.getvalue()
    assert "could not be decrypted" in err.getvalue()
    assert _raw("accounts_identityprofile", ["id_number"], lost.pk)[0] == lost_token
    assert IdentityProfile.objects.get(user=kept).id_number == ID_NUMBER


@pytest.mark.django_db
def test_rotate_refuses_a_batch_size_below_one():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rotate_field_keys", batch_size=0)
