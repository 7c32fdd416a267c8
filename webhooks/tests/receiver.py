"""A real HTTPS receiver process for tests: docs/examples/webhook_receiver.py with a self-signed certificate.

Other apps' end-to-end tests (erasure propagation) use it too::

    tls = tls_files(tmp_path)                  # cert.pem / key.pem for localhost and 127.0.0.1
    with running_receiver(tls=tls, secrets=[secret], accepted=tmp_path / "in.jsonl") as port:
        settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
        settings.WEBHOOK_CA_BUNDLE = str(tls.cert)
        ...  # an endpoint at f"https://localhost:{port}/hooks"
"""

import contextlib
import datetime
import ipaddress
import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

RECEIVER = Path(__file__).resolve().parents[2] / "docs" / "examples" / "webhook_receiver.py"


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


def tls_files(directory: Path) -> TlsFiles:
    """A self-signed certificate (its own CA) for localhost and 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    files = TlsFiles(cert=directory / "cert.pem", key=directory / "key.pem")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_receiver(*, tls: TlsFiles, secrets: list[str], accepted: Path, port: int | None = None, status: int = 200):
    """Start the example receiver as a subprocess; yield its port; stop it."""
    port = port or free_port()
    command = [
        sys.executable,
        str(RECEIVER),
        "--port",
        str(port),
        "--cert",
        str(tls.cert),
        "--key",
        str(tls.key),
        "--accepted-file",
        str(accepted),
        "--status",
        str(status),
    ]
    env = {**os.environ, "WEBHOOK_SECRETS": ",".join(secrets)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("listening on"), f"receiver did not start: {line!r}"
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def accepted_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
