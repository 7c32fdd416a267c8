#!/usr/bin/env python3
"""A minimal receiver of the privacy portal's webhooks: standard library only.

It verifies each delivery before trusting it:

1. ``X-Portal-Signature: t=<unix time>,v1=<hex>[,v1=<hex>]`` must be present and well formed
   (else 400);
2. the signed time must be within ``--tolerance`` seconds of now, and equal to
   ``X-Portal-Timestamp`` (else 401): an old delivery captured on the way cannot be sent again;
3. one ``v1`` must equal HMAC-SHA256(secret, "<t>." + raw body) for one of your secrets
   (else 401). Give both the new and the old secret while you switch after a rotation;
4. the body must be JSON with the event id of ``X-Portal-Event-Id`` (else 400).

Then it appends the event (one JSON line) to ``--accepted-file`` and answers 200. Deliveries can
arrive more than once (a retry after a lost answer, a replay by the portal's staff): act on each
event id once. Anything but a 2xx makes the portal try again later, with backoff.

Run it (the certificate and key in PEM; the secret is the one the portal showed once)::

    WEBHOOK_SECRETS=whsec_new,whsec_old python webhook_receiver.py --port 8443 \\
        --cert cert.pem --key key.pem --accepted-file accepted.jsonl

``--status 500`` makes it answer 500 to every verified delivery, to watch the retries.
"""

import argparse
import contextlib
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import time

MAX_BODY = 1024 * 1024


def parse_signature(header: str) -> tuple[int, list[str]] | None:
    timestamp, macs = None, []
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if sep and key == "t" and value.isdigit():
            timestamp = int(value)
        elif sep and key == "v1" and value:
            macs.append(value)
    if timestamp is None or not macs:
        return None
    return timestamp, macs


def signature_valid(*, secrets: list[str], timestamp: int, macs: list[str], body: bytes) -> bool:
    signed = str(timestamp).encode("ascii") + b"." + body
    for secret in secrets:
        expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, mac) for mac in macs):
            return True
    return False


class Receiver(http.server.BaseHTTPRequestHandler):
    secrets: list[str] = []
    tolerance = 300
    accepted_file = ""
    status_after_verify = 200

    def _answer(self, status: int, message: str) -> None:
        body = json.dumps({"detail": message}).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            return self._answer(400, "missing or too large body")
        body = self.rfile.read(length)
        parsed = parse_signature(self.headers.get("X-Portal-Signature", ""))
        if parsed is None:
            return self._answer(400, "missing or malformed signature")
        timestamp, macs = parsed
        if str(timestamp) != (self.headers.get("X-Portal-Timestamp") or "").strip():
            return self._answer(401, "timestamp header does not match the signature")
        if abs(time.time() - timestamp) > self.tolerance:
            return self._answer(401, "timestamp outside the tolerance")
        if not signature_valid(secrets=self.secrets, timestamp=timestamp, macs=macs, body=body):
            return self._answer(401, "bad signature")
        try:
            event = json.loads(body)
        except ValueError:
            return self._answer(400, "body is not JSON")
        if not isinstance(event, dict) or event.get("id") != self.headers.get("X-Portal-Event-Id"):
            return self._answer(400, "event id does not match")
        if self.status_after_verify >= 300:
            return self._answer(self.status_after_verify, "failing on purpose")
        if self.accepted_file:
            record = {"event": event, "signature": self.headers.get("X-Portal-Signature")}
            with open(self.accepted_file, "a", encoding="utf-8") as out:
                out.write(json.dumps(record, sort_keys=True) + "\n")
        return self._answer(200, "ok")

    def log_message(self, format, *args):
        sys.stderr.write("receiver: " + (format % args) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--accepted-file", default="")
    parser.add_argument("--tolerance", type=int, default=300)
    parser.add_argument("--status", type=int, default=200, help="answer this status to verified deliveries")
    args = parser.parse_args(argv)
    secrets = [s for s in os.environ.get("WEBHOOK_SECRETS", "").split(",") if s]
    if not secrets:
        parser.error("set WEBHOOK_SECRETS to the endpoint's secret (comma-separated during a rotation)")

    Receiver.secrets, Receiver.tolerance = secrets, args.tolerance
    Receiver.accepted_file, Receiver.status_after_verify = args.accepted_file, args.status
    server = http.server.ThreadingHTTPServer((args.host, args.port), Receiver)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on https://{args.host}:{server.server_address[1]}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
