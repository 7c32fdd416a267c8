"""End to end with a real receiver process: the webhook reaches it, its signed acknowledgement closes the loop.

The receiver (``erasure_receiver.py``) is a separate Python process serving
HTTPS with a certificate made here; the portal runs under ``live_server``
and, with eager Celery, sends the delivery when the completion commits.
"""

import datetime as dt
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from accounts.service_clients.scopes import ERASURE
from accounts.service_clients.tests.factories import service_client_with_token
from privacy_requests import services
from privacy_requests.models import ErasureInstruction, InstructionStatus, PropagationState, RequestKind
from tests.factories import StaffFactory, VerifiedCitizenFactory, step_up_passed
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.tests.factories import webhook_endpoint_for_tests

RECEIVER = Path(__file__).with_name("erasure_receiver.py")


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, which the portal is told to trust."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "receiver.pem", directory / "receiver.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _wait(condition, *, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.fixture
def receiver(tmp_path, settings, transactional_db, live_server):
    """Start the receiver for a fresh erasure client; yields (client, log path)."""
    client, token = service_client_with_token(scopes=[ERASURE], name="receiver service")
    cert, key = _certificate(tmp_path)
    port = _free_port()
    _endpoint, secret = webhook_endpoint_for_tests(
        client=client, events=["erasure.requested"], url=f"https://127.0.0.1:{port}/hooks"
    )
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_CA_BUNDLE = str(cert)
    log = tmp_path / "receiver.log"
    process = subprocess.Popen(
        [sys.executable, str(RECEIVER), str(port), str(cert), str(key), secret, token, live_server.url, str(log)]
    )
    try:
        _wait(lambda: any(entry["step"] == "listening" for entry in _log(log)), timeout=10)
        yield client, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_receiver_gets_the_instruction_and_its_signed_acknowledgement_makes_the_request_fully_done(receiver):
    client, log = receiver
    citizen = VerifiedCitizenFactory(email="sun.li@example.cn")
    maker, checker = StaffFactory(username="maker"), StaffFactory(username="checker")
    request = services.privacy_request_create(
        requester=citizen, kind=RequestKind.DELETION, details={}, identity_check=step_up_passed(citizen)
    )
    services.privacy_request_start_review(request=request, actor=maker)
    services.privacy_request_propose(request=request, actor=maker, action="delete")
    # Commits: the delivery goes out (eager Celery) to the receiver process.
    services.privacy_request_confirm(request=request, actor=checker)

    instruction = ErasureInstruction.objects.get(request=request, client=client)
    received = _wait(lambda: [e for e in _log(log) if e["step"] == "received"])
    assert received[0]["type"] == "erasure.requested"
    assert received[0]["data"]["instruction_id"] == instruction.pk
    assert received[0]["data"]["subject_id"] == citizen.pk
    assert WebhookDelivery.objects.get(endpoint__client_id=client.pk).status == DeliveryStatus.DELIVERED

    acknowledged = _wait(lambda: [e for e in _log(log) if e["step"] == "acknowledged"])
    assert acknowledged[0]["status"] == 200, acknowledged[0]
    instruction.refresh_from_db()
    assert instruction.status == InstructionStatus.CONFIRMED
    assert instruction.ack_note == "deleted from the receiver's store"
    request.refresh_from_db()
    assert request.propagation == PropagationState.CONFIRMED and request.fully_done_at is not None
