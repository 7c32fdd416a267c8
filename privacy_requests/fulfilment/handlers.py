"""Imports every fulfilment module, so that each registers its handler."""

from . import (
    cancellation,  # noqa: F401 - account cancellation (issue #5, R3)
    complaint,  # noqa: F401 - complaints and questions (issue #5, R3)
    correction,  # noqa: F401 - correction (issue #5, R3)
    deletion,  # noqa: F401 - deletion (issue #5, R3)
    export,  # noqa: F401 - access and export (issue #5, R2)
    withdrawal,  # noqa: F401 - consent withdrawal (issue #5, R3)
)
