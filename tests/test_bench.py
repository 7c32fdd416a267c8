"""The benchmark harness's own parts that can be checked without a full run."""

import http.server
import shutil
import threading
from pathlib import Path

import pytest

from bench import registry


def test_web_and_audit_writes_are_registered():
    registry.load()
    assert {"web", "audit_writes"} <= set(registry.names())
    assert registry.get("web").summary
    assert registry.get("audit_writes").summary


def test_consent_check_load_is_spread_under_the_throttle():
    from bench import web
    from privacy_portal.settings import base

    # The figure the benchmark assumes is the one the production settings enforce (the test
    # settings raise it).
    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["consent_check"] == f"{web.THROTTLE_PER_MINUTE}/min"
    for duration in (2, 10, 60):
        clients = web._clients_needed(duration)
        # Warm-up and run together stay within one minute of each client's allowance, so even a run
        # that falls in a single counting window of the per-client throttle is never refused.
        assert web.CEILING_RPS * (duration + web.WARMUP) / clients <= web.THROTTLE_PER_MINUTE


class _Answers(http.server.BaseHTTPRequestHandler):
    """200 on /ok, a redirect (which wrk's own error count leaves out) on /moved."""

    def do_GET(self):
        if self.path.startswith("/ok"):
            self.send_response(200)
        else:
            self.send_response(302)
            self.send_header("Location", "/accounts/login/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk (Debian package) is not installed")
@pytest.mark.parametrize(("lines", "all_ok"), [(["/ok"], True), (["/ok", "/moved"], False)])
def test_wrk_script_counts_every_answer_that_is_not_200(local_server, tmp_path: Path, lines, all_ok):
    from bench import web

    requests_file = tmp_path / "requests.txt"
    requests_file.write_text("\n".join(lines) + "\n")
    result = web._wrk(local_server, ["Host: localhost"], requests_file, 1)
    assert result["requests"] > 0
    if all_ok:
        assert result["non200"] == 0
    else:
        assert result["non200"] > 0
        assert result["first_bad"].startswith("302 /accounts/login/")
