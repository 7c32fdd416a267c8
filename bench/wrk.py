"""wrk, the load generator of the HTTP benchmarks, and what it reports.

wrk (Debian package ``wrk``) holds a fixed number of connections open for a
fixed time. Its script (``wrk_report.lua``) rotates through the requests
listed in a file and counts every answer that is not a 200: wrk's own error
count leaves redirects out, which would hide a page that sends the
benchmark's citizen to a sign-in page.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.registry import BenchmarkFailed
from bench.report import progress

LUA = Path(__file__).with_name("wrk_report.lua")
THREADS = 2
CONNECTIONS = 8


def executable() -> str:
    return os.environ.get("BENCH_WRK", "/usr/bin/wrk")


def ensure_installed() -> str:
    """The path of wrk, installing the Debian package first if it is missing."""
    path = executable()
    if Path(path).exists():
        return path
    if shutil.which("apt-get") is None:
        raise BenchmarkFailed(f"wrk is not installed at {path} and there is no apt-get to install it")
    progress("wrk is missing: apt-get install wrk")
    command = ["apt-get", "install", "-y", "-q", "wrk"]
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise BenchmarkFailed("wrk is missing; install it (apt-get install wrk) or set BENCH_WRK")
        command = ["sudo", "-n", *command]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    installed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600, check=False)
    if installed.returncode != 0:
        # A fresh machine may not have fetched the package lists yet.
        update = [*command[: command.index("install")], "update", "-q"]
        subprocess.run(update, env=environment, capture_output=True, timeout=600, check=False)
        installed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=600, check=False)
    if installed.returncode != 0 or not Path(path).exists():
        raise BenchmarkFailed(f"could not install wrk: {installed.stderr.strip()[-500:]}")
    return path


@dataclass(frozen=True)
class Request:
    """One line of wrk's request file: a GET, or a POST of a JSON body."""

    path: str
    authorization: str = ""
    body: str = ""

    def line(self) -> str:
        if "\t" in self.path + self.authorization + self.body or "\n" in self.body:
            raise ValueError("a request line holds no tab and no line break")
        return f"{self.path}\t{self.authorization}\t{self.body}"


def requests_file(path: Path, requests: list[Request]) -> Path:
    path.write_text("".join(request.line() + "\n" for request in requests))
    return path


def run(
    base: str,
    headers: list[str],
    requests: Path,
    duration: int,
    *,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
) -> dict:
    """Drive ``base`` for ``duration`` seconds; wrk's report as a dict (requests, latencies in µs, failures)."""
    threads = min(threads, connections)
    command = [executable(), "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(LUA), base + "/", "--", str(requests)]
    answer = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    if answer.returncode != 0:
        raise BenchmarkFailed(f"wrk exited with {answer.returncode}: {answer.stderr.strip()}")
    try:
        return json.loads(answer.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise BenchmarkFailed(f"wrk printed no report: {answer.stdout!r} {answer.stderr!r}") from None


def requests_per_second(name: str, result: dict) -> float:
    """The rate of a run in which every answer was a 200; any other answer voids the figure."""
    if result["non200"] or result["socket_errors"] or result["timeouts"]:
        raise BenchmarkFailed(
            f"{name}: {result['non200']} answers were not 200 (first: {result['first_bad']}), "
            f"{result['socket_errors']} socket errors, {result['timeouts']} timeouts"
        )
    if not result["requests"]:
        raise BenchmarkFailed(f"{name}: wrk completed no request")
    return result["requests"] / (result["duration_us"] / 1e6)
