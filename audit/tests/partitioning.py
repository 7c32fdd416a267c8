"""Targets whose events land in a chosen partition, so tests can aim at one chain or keep chains apart."""

from audit.partitions import partition_count, partition_for, partition_key


def partition_of(target: tuple[str, str]) -> int:
    key = partition_key(target_type=target[0], target_id=str(target[1]), actor_id=None, action="")
    return partition_for(key, partitions=partition_count())


def target_in(partition: int) -> tuple[str, str]:
    """A ``(label, id)`` target whose events join ``partition``."""
    for number in range(100_000):
        target = ("tests.item", str(number))
        if partition_of(target) == partition:
            return target
    raise AssertionError(f"no test target falls in partition {partition}")


def targets_apart(count: int) -> list[tuple[str, str]]:
    """``count`` targets in ``count`` different partitions."""
    found: dict[int, tuple[str, str]] = {}
    number = 0
    while len(found) < count:
        target = ("tests.item", str(number))
        found.setdefault(partition_of(target), target)
        number += 1
    return list(found.values())
