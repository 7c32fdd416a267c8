import time

import pytest

from webhooks.signing import SignatureError, secret_generate, signature_header, signature_verify


def test_a_signature_made_with_the_secret_verifies():
    secret = secret_generate()
    now = int(time.time())
    header = signature_header(secrets=[secret], timestamp=now, body=b'{"a":1}')

    assert header.startswith(f"t={now},v1=")
    assert signature_verify(secrets=[secret], timestamp=now, body=b'{"a":1}', signature=header) == now


@pytest.mark.parametrize(
    ("secrets", "body", "offset"),
    [
        (["other"], b'{"a":1}', 0),  # wrong secret
        (None, b'{"a":2}', 0),  # body changed on the way
        (None, b'{"a":1}', -301),  # captured and sent again later
        (None, b'{"a":1}', 301),
    ],
)
def test_a_wrong_secret_a_changed_body_or_a_stale_time_is_refused(secrets, body, offset):
    secret = secret_generate()
    then = int(time.time()) + offset
    header = signature_header(secrets=[secret], timestamp=then, body=b'{"a":1}')

    with pytest.raises(SignatureError):
        signature_verify(secrets=secrets or [secret], timestamp=then, body=body, signature=header)


def test_during_a_rotation_both_secrets_sign_and_either_verifies():
    new, old = secret_generate(), secret_generate()
    now = int(time.time())
    header = signature_header(secrets=[new, old], timestamp=now, body=b"x")

    assert header.count("v1=") == 2
    assert signature_verify(secrets=[old], timestamp=now, body=b"x", signature=header) == now
    assert signature_verify(secrets=[new], timestamp=now, body=b"x", signature=header) == now


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", "t=1", "garbage"])
def test_a_malformed_header_is_refused(header):
    with pytest.raises(SignatureError):
        signature_verify(secrets=["s"], timestamp=None, body=b"x", signature=header)


def test_the_timestamp_header_must_match_the_signed_one():
    now = int(time.time())
    header = signature_header(secrets=["s"], timestamp=now, body=b"x")

    with pytest.raises(SignatureError):
        signature_verify(secrets=["s"], timestamp=now - 1, body=b"x", signature=header)
