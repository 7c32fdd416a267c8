"""``python -m tests.smoke`` (``make smoke``): start the stack, run the scenario, print one summary line.

Exit status 0 with ``smoke: ok …`` on success; 1 with ``smoke: FAILED …``, the
reason and the tails of the process logs otherwise. Every process is stopped
either way, on Ctrl-C and SIGTERM too; ``--keep`` keeps the run's directory
(logs, database files) after a success as well as after a failure.
"""

import argparse
import signal
import sys
import time

from . import scenario
from .stack import SmokeFailure, Stack


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def _say(text: str) -> None:
    print(f"smoke: {text}", flush=True)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.smoke", description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs) after success too")
    options = parser.parse_args()
    # Both, explicitly: a shell that starts the run in the background starts it with SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupted)
    signal.signal(signal.SIGTERM, _interrupted)

    started = time.monotonic()
    stack = Stack()
    failed, status = True, 1
    try:
        _say(f"the run's files are in {stack.directory}")
        stack.start(_say)
        _say(f"up after {_duration(time.monotonic() - started)}: {stack.base_url}")
        found = scenario.run(stack, _say)
        failed = False
    except SmokeFailure as failure:
        print(f"\nsmoke: FAILED — {failure}\n", file=sys.stderr, flush=True)
        print(stack.log_tails(), file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("\nsmoke: interrupted; stopping everything", file=sys.stderr, flush=True)
        status = 130
    except Exception as error:
        # A bug in the driver or an unexpected answer: still stop everything, and show the logs.
        print(f"\nsmoke: FAILED — {type(error).__name__}: {error}\n", file=sys.stderr, flush=True)
        print(stack.log_tails(), file=sys.stderr, flush=True)
        raise
    finally:
        # A second Ctrl-C must not leave processes behind half-way through stopping them.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        keep = options.keep or failed
        stack.stop(keep_directory=keep)
        if keep:
            print(f"smoke: logs kept in {stack.directory}/logs", file=sys.stderr, flush=True)
    if failed:
        return status
    readyz = "→".join(str(status) for status in found.readyz_seen)
    outage = "/".join(sorted({str(status) for status in found.outage_pages}))
    print(
        f"smoke: ok — 2 web, 2 workers, 1 beat; signup, identity, export ({found.killed} killed mid-build, "
        f"built once, filed via {found.filed_via}, downloaded via {found.downloaded_via}), "
        f"withdrawal → consent-check no, db restart readyz {readyz} (citizen pages {outage}, no traceback); "
        f"{_duration(time.monotonic() - started)}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
