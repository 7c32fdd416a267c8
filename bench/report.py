"""Where the harness writes: figures to stdout, everything else to stderr."""

import sys


def figure(name: str, value: float | int, unit: str) -> None:
    """Print one result as ``name: value unit``, the only thing on stdout."""
    text = str(value) if isinstance(value, int) else f"{value:.1f}"
    print(f"{name}: {text} {unit}", flush=True)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
