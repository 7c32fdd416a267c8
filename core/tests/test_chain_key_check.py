"""The deploy check for the chain key: production signs the audit log and the consent ledger with a real key."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core.checks import check_chain_key


def test_no_key_is_an_error(settings):
    settings.AUDIT_CHAIN_KEY = []
    problems = check_chain_key()
    assert [p.id for p in problems] == ["privacy_portal.E004"]
    assert "cannot be signed" in problems[0].msg and "AUDIT_CHAIN_KEY" in problems[0].hint


@pytest.mark.parametrize("key", ["short", "dev-only-audit-chain-key-never-used-in-production"])
def test_a_short_or_published_key_is_an_error(settings, key):
    settings.AUDIT_CHAIN_KEY = ["k" * 40, key]
    problems = check_chain_key()
    assert [p.id for p in problems] == ["privacy_portal.E004"]
    assert "key 2" in problems[0].msg


def test_long_random_keys_pass(settings):
    settings.AUDIT_CHAIN_KEY = ["x7Qp" * 10, "m2Zr" * 10]
    assert check_chain_key() == []


def test_check_deploy_fails_without_the_key(settings):
    settings.AUDIT_CHAIN_KEY = []
    with pytest.raises(SystemCheckError, match="privacy_portal.E004"):
        call_command("check", "--deploy", "--tag", "security")
