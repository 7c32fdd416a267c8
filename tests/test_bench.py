"""The benchmark harness's own parts that can be checked without a full run."""

import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import pytest

from bench import http as http_bench
from bench import registry, serving, web, wrk


def test_web_http_and_audit_writes_are_registered():
    registry.load()
    assert {"web", "http", "audit_writes"} <= set(registry.names())
    assert registry.get("web").summary
    assert registry.get("http").summary
    assert registry.get("audit_writes").summary


@pytest.mark.parametrize(
    ("ceiling", "scope", "clients_for"),
    [
        (web.CEILING_RPS, "consent_check", web.clients_needed),
        (
            http_bench.CHECK_CEILING_RPS,
            "consent_check",
            lambda d: http_bench._clients(http_bench.CHECK_CEILING_RPS, d + http_bench.WARMUP, "consent_check"),
        ),
        (
            http_bench.BATCH_CEILING_RPS,
            "consent_check_batch",
            lambda d: http_bench._clients(http_bench.BATCH_CEILING_RPS, d + http_bench.WARMUP, "consent_check_batch"),
        ),
    ],
)
def test_service_load_is_spread_under_each_clients_throttle(settings, ceiling, scope, clients_for):
    from privacy_portal.settings import base

    # The allowance production enforces (the test settings raise it), as the benchmark reads it.
    settings.REST_FRAMEWORK = base.REST_FRAMEWORK
    allowance = serving.per_minute(scope)
    assert f"{allowance}/min" == base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]
    for duration in (2, 10, 60):
        clients = clients_for(duration)
        # Warm-up and run together stay within one sliding minute of each client's allowance.
        assert ceiling * min(duration + web.WARMUP, 60) / clients <= allowance


def test_http_prints_exactly_the_figures_of_the_issue():
    import inspect

    assert http_bench.FIGURES == (
        "http_bare_rps",
        "http_consent_check_rps",
        "http_consent_check_ratio",
        "http_batch_subjects_per_s",
        "http_home_anon_rps",
        "http_home_signed_in_ratio",
        "http_dashboard_ratio",
        "http_dashboard_p95_ms",
    )
    source = inspect.getsource(http_bench.http)
    printed = re.findall(r'(?:figure|_ratio|missing)\(\s*"(http_\w+)"', source)
    assert sorted(set(printed)) == sorted(http_bench.FIGURES)
    assert set(http_bench.TARGETS) <= set(http_bench.FIGURES)


def test_a_figure_that_could_not_be_measured_says_why(capsys):
    from bench.report import missing, verdict

    missing("http_batch_subjects_per_s", "endpoint missing")

    assert capsys.readouterr().out == "http_batch_subjects_per_s: n/a (endpoint missing)\n"
    assert verdict(0.5, 0.5) == "ok"
    assert verdict(0.49, 0.5) == "below"


def test_batches_hold_distinct_people_and_at_most_a_thousand():
    subjects = list(range(10_001, 13_501))
    batches = http_bench._batch_requests(subjects, ["t1", "t2"])

    assert len(batches) >= http_bench.BATCH_REQUESTS
    for request in batches:
        body = json.loads(request.body)
        assert body["purpose"] == http_bench.PURPOSE
        assert len(body["subjects"]) == 1_000 == len(set(body["subjects"]))
        assert request.path == "/api/v1/consent-check/batch/"
        assert request.authorization.startswith("Bearer t")
    # A small population (a smoke run's scale) gives smaller batches, never a duplicate.
    small = http_bench._batch_requests(list(range(1, 301)), ["t"])
    assert all(len(set(json.loads(r.body)["subjects"])) == 300 for r in small)


def test_the_bare_view_is_mounted_only_in_the_bench_urlconf(settings):
    from django.urls import Resolver404, resolve

    from privacy_portal.settings import base

    assert base.ROOT_URLCONF == settings.ROOT_URLCONF == "privacy_portal.urls"
    with pytest.raises(Resolver404):
        resolve("/" + http_bench.BARE_PATH)
    assert resolve("/" + http_bench.BARE_PATH, urlconf="bench.urls").url_name == "bench-bare"
    # Only gunicorn of the http benchmark loads bench.settings (production's, which need the
    # deployment's secrets to import): read its one assignment rather than import it.
    assert 'ROOT_URLCONF = "bench.urls"' in Path(http_bench.__file__).with_name("settings.py").read_text()
    assert http_bench.SETTINGS_MODULE == "bench.settings"
    # The bench URLconf is the portal's plus that one route.
    assert resolve("/api/v1/consent-check/", urlconf="bench.urls").url_name == "api-consent-check"
    assert http_bench._mounted("/api/v1/consent-check/")
    assert not http_bench._mounted("/api/v1/no-such-operation/")


@pytest.mark.django_db
def test_the_bare_view_answers_anyone_with_a_small_json(client, settings):
    settings.ROOT_URLCONF = "bench.urls"

    response = client.get("/" + http_bench.BARE_PATH, HTTP_HOST="localhost")

    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_the_portal_urlconf_has_no_route_of_the_benchmarks():
    from django.urls import URLPattern, URLResolver

    import privacy_portal.urls

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    assert not [view for view in views(privacy_portal.urls.urlpatterns) if view.__module__.startswith("bench")]


class _Answers(http.server.BaseHTTPRequestHandler):
    """200 on /ok, a redirect (which wrk's own error count leaves out) on /moved; POST: 200 for a JSON body."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        json_sent = self.headers.get("Content-Type") == "application/json" and json.loads(body)["n"] == 1
        self.send_response(200 if json_sent else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

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
@pytest.mark.parametrize(
    ("requests", "all_ok"),
    [
        ([wrk.Request("/ok")], True),
        ([wrk.Request("/ok"), wrk.Request("/moved")], False),
        # A body makes the request a POST of JSON (the batch consent check).
        ([wrk.Request("/batch", "Bearer t", '{"n":1}')], True),
        ([wrk.Request("/batch", "Bearer t", '{"n":2}')], False),
    ],
)
def test_wrk_script_counts_every_answer_that_is_not_200(local_server, tmp_path: Path, requests, all_ok):
    requests_file = wrk.requests_file(tmp_path / "requests.txt", requests)
    result = wrk.run(local_server, ["Host: localhost"], requests_file, 1, connections=2)
    assert result["requests"] > 0
    assert result["p50_us"] <= result["p95_us"] <= result["p99_us"]
    if all_ok:
        assert result["non200"] == 0
        assert wrk.requests_per_second("ok", result) > 0
    else:
        assert result["non200"] > 0
        assert result["first_bad"].startswith(("302 /accounts/login/", "400"))
        with pytest.raises(registry.BenchmarkFailed):
            wrk.requests_per_second("bad", result)
