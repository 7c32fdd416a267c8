"""The identity validators: checksums from python-stdnum plus our own rules."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import validators
from accounts.validators import clean_bank_card, clean_id_number, clean_mobile, clean_uscc
from privacy_portal.demo import demo_id_number


def _error_code(func, value) -> str:
    with pytest.raises(ValidationError) as caught:
        func(value)
    return caught.value.code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("110101199003071233", "110101199003071233"),
        (" 110101199003071233 ", "110101199003071233"),
        ("31010119780923567X", "31010119780923567X"),
        # Lower-case x is what people type; it is stored upper-case.
        ("31010119780923567x", "31010119780923567X"),
    ],
)
def test_valid_id_numbers_are_normalised(value, expected):
    assert clean_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110101199003071234", "invalid_id_number"),  # checksum off by one
        ("11010119900307123", "invalid_id_number"),  # 17 characters
        ("1101011990030712331", "invalid_id_number"),  # 19 characters
        ("11010119901307123X", "invalid_id_number"),  # month 13
        ("", "invalid_id_number"),
        ("abcdefghijklmnopqr", "invalid_id_number"),
    ],
)
def test_invalid_id_numbers_are_refused(value, code):
    assert _error_code(clean_id_number, value) == code


def test_an_id_number_born_in_the_future_is_refused(monkeypatch):
    monkeypatch.setattr(validators, "_today", lambda: date(2026, 6, 15))
    assert _error_code(clean_id_number, demo_id_number("110101", "20260616", "123")) == "future_birth"
    assert clean_id_number(demo_id_number("110101", "20260615", "123"))


def test_an_implausibly_old_id_number_is_refused(monkeypatch):
    monkeypatch.setattr(validators, "_today", lambda: date(2026, 6, 15))
    assert _error_code(clean_id_number, demo_id_number("110101", "19000101", "123")) == "implausible_birth"
    assert clean_id_number(demo_id_number("110101", "19070101", "123"))


def test_the_id_number_error_names_the_field_in_the_persons_language():
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            clean_id_number("110101199003071234")
        # The message is lazy: read it while English is still the language.
        assert "resident ID number" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91110000600037341L", "91110000600037341L"),
        ("9111 0000 6000 3734 1l", "91110000600037341L"),
    ],
)
def test_valid_usccs(value, expected):
    assert clean_uscc(value) == expected


@pytest.mark.parametrize("value", ["91110000600037341M", "9111000060003734", "", "I1110000600037341L"])
def test_invalid_usccs_are_refused(value):
    assert _error_code(clean_uscc, value) == "invalid_uscc"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        ("199 1234 5678", "19912345678"),
    ],
)
def test_valid_mobile_numbers_are_normalised(value, expected):
    assert clean_mobile(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "010-12345678",  # a Beijing landline
        "02012345678",  # a Guangzhou landline, 11 digits
        "12800138000",  # no mobile prefix starts 12
        "1380013800",  # 10 digits
        "+1 415 555 0100",
        "",
    ],
)
def test_landlines_and_malformed_numbers_are_refused(value):
    assert _error_code(clean_mobile, value) == "invalid_mobile"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6222021234567890128", "6222021234567890128"),
        ("6222 0212 3456 7890 128", "6222021234567890128"),
        ("6217-0000-0000-0000-004", "6217000000000000004"),
    ],
)
def test_luhn_valid_bank_cards(value, expected):
    assert clean_bank_card(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "6222021234567890127",  # Luhn check digit wrong
        "62220212345",  # too short
        "62220212345678901280",  # 20 digits
        "6222O21234567890128",  # a letter O
        "",
    ],
)
def test_bad_bank_cards_are_refused(value):
    assert _error_code(clean_bank_card, value) == "invalid_bank_card"


def test_age_and_minor_turn_over_on_the_birthday():
    birth = date(2012, 6, 15)
    assert validators.age_on(birth, date(2026, 6, 14)) == 13
    assert validators.is_minor(birth, date(2026, 6, 14))
    assert validators.age_on(birth, date(2026, 6, 15)) == 14
    assert not validators.is_minor(birth, date(2026, 6, 15))
