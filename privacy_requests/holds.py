"""Legal holds as the deletion path sees them.

The retention issue (#6) adds the hold models; until then nothing is held,
and every eraser already asks this hook first.
"""


def is_held(*, user, category: str) -> bool:
    return False
