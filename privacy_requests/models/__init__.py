"""Rights-request models, one concept a module."""

from ..erasure_propagation.models import ErasureInstruction, InstructionStatus
from ..notes.models import RequestNote
from .calendar import CalendarDay
from .exports import ExportFile
from .requests import (
    PrivacyRequest,
    PropagationState,
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
    "ErasureInstruction",
    "ExportFile",
    "InstructionStatus",
    "PrivacyRequest",
    "PropagationState",
    "RefusalReason",
    "RequestChannel",
    "RequestEvent",
    "RequestKind",
    "RequestMessage",
    "RequestNote",
    "RequestOutcome",
    "RequestState",
]
