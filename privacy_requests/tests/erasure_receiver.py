"""A service's webhook receiver, run as its own process by the end-to-end erasure test (stdlib only).

It serves HTTPS, verifies the portal's signature on every delivery, and on
``erasure.requested`` answers 200 at once, then acknowledges the instruction
through the portal's API: the body signed with the same endpoint secret, the
service's OAuth access token as bearer. Each step is a JSON line in the log.

    python erasure_receiver.py PORT CERT KEY SECRET TOKEN PORTAL_URL LOG
"""

import hashlib
import hmac
import json
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verified(secret: str, header: str, body: bytes) -> bool:
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for key, value in parts if key == "t"]
    macs = [value for key, value in parts if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or abs(time.time() - int(stamps[0])) > TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), stamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, mac) for mac in macs)


def main() -> None:
    port, cert, key, secret, token, portal, log_path = sys.argv[1:8]
    lock = threading.Lock()

    def log(**entry):
        with lock, open(log_path, "a", encoding="utf-8") as log_file:
            log_file.write(json.dumps(entry) + "\n")

    def acknowledge(instruction_id: int) -> None:
        body = json.dumps(
            {
                "instruction_id": instruction_id,
                "erased_at": datetime.now(UTC).isoformat(),
                "note": "deleted from the receiver's store",
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the test's own portal, over http(s)
            f"{portal}/api/v1/erasure-instructions/{instruction_id}/acknowledge/",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                "X-Portal-Signature": sign(secret, body, int(time.time())),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's portal
                log(step="acknowledged", instruction_id=instruction_id, status=response.status)
        except urllib.error.HTTPError as error:
            log(step="acknowledged", instruction_id=instruction_id, status=error.code, body=error.read().decode())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verified(secret, self.headers.get("X-Portal-Signature", ""), body):
                log(step="refused", reason="bad signature")
                self.send_response(400)
                self.end_headers()
                return
            event = json.loads(body)
            log(step="received", type=event["type"], data=event["data"])
            self.send_response(200)
            self.end_headers()
            if event["type"] == "erasure.requested":
                threading.Thread(target=acknowledge, args=(event["data"]["instruction_id"],)).start()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    log(step="listening")
    server.serve_forever()


if __name__ == "__main__":
    main()
