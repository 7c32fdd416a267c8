"""The benchmarks the runner knows about.

A benchmark is a function taking a ``bench.session.Session``, decorated with
``@benchmark("name")`` in a module listed in ``MODULES``. The modules are
imported only after Django is set up, so they may import models at the top.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass

MODULES = (
    "bench.outbox",
    "bench.consent_check",
    "bench.dashboard",
    "bench.export",
    "bench.sweep",
    "bench.fanout",
    "bench.web",
    "bench.http",
    "bench.audit_writes",
    "bench.cpu",
)


class BenchmarkFailed(Exception):
    """A benchmark ran but its result is wrong or never came; the figures are void."""


class UnknownBenchmark(LookupError):
    pass


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable
    summary: str


_BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str):
    def register(func: Callable) -> Callable:
        if name in _BENCHMARKS:
            raise ValueError(f"benchmark {name!r} registered twice")
        summary = next(iter((func.__doc__ or "").strip().splitlines()), "")
        _BENCHMARKS[name] = Benchmark(name=name, run=func, summary=summary)
        return func

    return register


def load() -> None:
    for module in MODULES:
        importlib.import_module(module)


def names() -> list[str]:
    return list(_BENCHMARKS)


def get(name: str) -> Benchmark:
    try:
        return _BENCHMARKS[name]
    except KeyError:
        raise UnknownBenchmark(f"no benchmark named {name!r}; known: {', '.join(_BENCHMARKS) or 'none'}") from None
