"""Where the harness writes: figures to stdout, everything else to stderr."""

import sys


def figure(name: str, value: float | int, unit: str) -> None:
    """Print one result as ``name: value unit``, the only thing on stdout."""
    print(f"{name}: {_formatted(value)} {unit}", flush=True)


def missing(name: str, reason: str) -> None:
    """Print a figure that could not be measured, and why, in its place: ``name: n/a (reason)``."""
    print(f"{name}: n/a ({reason})", flush=True)


def verdict(value: float, target: float) -> str:
    """``ok`` when ``value`` reaches a target that is a floor, else ``below``."""
    return "ok" if value >= target else "below"


def _formatted(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    # Ratios sit near their targets (0.5, 1.5): one decimal would round 0.49 up to a pass.
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
