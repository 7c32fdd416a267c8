"""``python -m bench [NAME ...] [--scale S] [--list]``: run benchmarks.

Every run gets its own PostgreSQL database, Redis database and SMTP sink,
and removes them on the way out, whether the run passed, failed or was
interrupted.
"""

import argparse
import contextlib
import os
import signal
import sys
import time

import django

from bench import broker, database, registry, session
from bench.report import progress
from bench.smtp_sink import SmtpSink


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("scale must be greater than 0")
    return value


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the portal's benchmarks.")
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--scale",
        type=_scale,
        # argparse passes a string default through `type` too, so a bad
        # BENCH_SCALE gets the same error message as a bad --scale.
        default=os.environ.get("BENCH_SCALE", "1"),
        help="multiply every benchmark's size (default: $BENCH_SCALE or 1; 0.02 for a smoke run)",
    )
    return parser.parse_args(argv)


def _interrupt(signum, frame):
    # SIGTERM unwinds like Ctrl-C, so the cleanup in every `finally` runs.
    raise KeyboardInterrupt


def _list() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", session.SETTINGS_MODULE)
    django.setup()
    registry.load()
    for name in registry.names():
        print(f"{name}\t{registry.get(name).summary}")
    return 0


def _run(names: list[str], scale: float) -> int:
    from django.core.management import call_command
    from django.db import connections

    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(SmtpSink())
        database_name = database.name_for_run()
        session.configure_django(database_url=database.url_for(database_name), email_url=sink.url)
        registry.load()
        # Unknown names fail here, before a database is made and migrated.
        selected = [registry.get(name) for name in names or registry.names()]

        progress(
            f"bench: database {database_name}, broker {broker.BROKER_URL} (keys {broker.KEY_PREFIX}*), "
            f"smtp sink {sink.url}"
        )
        stack.enter_context(database.bench_database(database_name))
        stack.callback(connections.close_all)
        stack.callback(broker.flush)
        call_command("migrate", interactive=False, verbosity=0)

        bench_session = session.Session(scale=scale, sink=sink)
        for benchmark in selected:
            progress(f"== {benchmark.name} (scale {scale:g})")
            bench_session.reset()
            started = time.monotonic()
            benchmark.run(bench_session)
            progress(f"== {benchmark.name} done in {time.monotonic() - started:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.list:
            return _list()
        return _run(args.names, args.scale)
    except registry.UnknownBenchmark as exc:
        progress(f"bench: {exc}")
        return 2
    except registry.BenchmarkFailed as exc:
        progress(f"bench: FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        progress("bench: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
