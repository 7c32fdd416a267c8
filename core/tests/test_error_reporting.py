"""Sentry events leave the process with no ID number, mobile number or email address in them.

The DSN points at a recorder on this machine that speaks just enough of
Sentry's envelope endpoint; the events are what sentry-sdk really sends.
"""

import gzip
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.test import Client
from django.urls import path

from core.error_reporting import error_reporting_init

ID_NUMBER, MOBILE, EMAIL = "110101199003077777", "13800138000", "zhang.san@example.cn"
PERSONAL = f"ID {ID_NUMBER}, mobile {MOBILE}, email {EMAIL}"
MASKED = ["1101**********7777", "138****8000", "z***@example.cn"]


class _Recorder(BaseHTTPRequestHandler):
    bodies: list[bytes]

    def do_POST(self):  # http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def sentry_events():
    """Sentry switched on against a local recorder; yields the list of envelope bodies it receives."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    error_reporting_init(dsn=f"http://publickey@127.0.0.1:{server.server_port}/1", environment="test")
    try:
        yield server.bodies
    finally:
        sentry_sdk.flush(timeout=5)
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        server.shutdown()
        server.server_close()


def _boom(request):
    citizen_details = PERSONAL  # a local variable, as Sentry shows them in a frame
    logging.getLogger("portal.test").warning("about to fail for %s", citizen_details)
    raise ValueError(f"cannot file the request of {citizen_details}")


urlpatterns = [path("boom/", _boom)]


def _sent(bodies) -> str:
    sentry_sdk.flush(timeout=5)
    return b"\n".join(bodies).decode()


def _events(sent: str) -> list[dict]:
    items = [json.loads(line) for line in sent.splitlines() if line.startswith("{")]
    return [item for item in items if "event_id" in item and {"exception", "logentry", "message"} & item.keys()]


@pytest.mark.urls("core.tests.test_error_reporting")
def test_an_error_in_a_view_reaches_sentry_masked(db, sentry_events):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/boom/?mobile=13800138000&email=zhang.san%40example.cn",
        {"id_number": ID_NUMBER, "note": PERSONAL},
    )
    assert response.status_code == 500

    sent = _sent(sentry_events)
    (event,) = [event for event in _events(sent) if "exception" in event]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    for value in (ID_NUMBER, MOBILE, EMAIL, "zhang.san%40example.cn"):
        assert value not in sent
    # Everything reached the event, masked: the message, the form, the query, the frame, the breadcrumb.
    assert "1101**********7777, mobile 138****8000, email z***@example.cn" in event["exception"]["values"][-1]["value"]
    assert event["request"]["data"]["id_number"] == MASKED[0]
    # The query string reaches the event in the request's repr (a frame variable), masked.
    assert "/boom/?mobile=138****8000&email=z***@example.cn" in sent
    frame = event["exception"]["values"][-1]["stacktrace"]["frames"][-1]
    assert MASKED[2] in frame["vars"]["citizen_details"]
    assert any(MASKED[1] in json.dumps(crumb) for crumb in event["breadcrumbs"]["values"])
    # send_default_pii is off: no cookies, no client address.
    assert "cookies" not in event["request"] and "REMOTE_ADDR" not in event["request"].get("env", {})


def test_messages_extras_and_logged_errors_reach_sentry_masked(sentry_events):
    with sentry_sdk.new_scope() as scope:
        scope.set_extra(EMAIL, {"citizen": PERSONAL, "numbers": [ID_NUMBER, MOBILE]})
        scope.set_tag("subject", MOBILE)
        sentry_sdk.capture_message(f"manual report about {PERSONAL}")
    logging.getLogger("portal.test").error("sending failed to %s", EMAIL)

    sent = _sent(sentry_events)
    assert len(_events(sent)) == 2
    for value in (ID_NUMBER, MOBILE, EMAIL):
        assert value not in sent
    for masked_value in MASKED:
        assert masked_value in sent
