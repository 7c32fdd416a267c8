"""The notifications app's models: the messages themselves, and the fan-outs that send one to many."""

from .fanout import FanOut, FanOutRecipient
from .messages import InboxMessage, OutboxEmail

__all__ = ["FanOut", "FanOutRecipient", "InboxMessage", "OutboxEmail"]
