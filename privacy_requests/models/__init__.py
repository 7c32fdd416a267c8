"""Rights-request models, one concept a module."""

from .calendar import CalendarDay
from .exports import ExportFile
from .requests import (
    PrivacyRequest,
    RefusalReason,
    RequestChannel,
    RequestEvent,
    RequestKind,
    RequestMessage,
    RequestOutcome,
    RequestState,
)

__all__ = [
    "CalendarDay",
    "ExportFile",
    "PrivacyRequest",
    "RefusalReason",
    "RequestChannel",
    "RequestEvent",
    "RequestKind",
    "RequestMessage",
    "RequestOutcome",
    "RequestState",
]
