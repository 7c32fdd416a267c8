"""This app's fulfilment handlers, one per kind of request (see ``privacy_requests.fulfilment``)."""

from .fulfilment import FULFILMENT_HANDLERS
from .fulfilment.cancellation import cancellation_fulfil
from .fulfilment.complaint import complaint_fulfil
from .fulfilment.correction import correction_fulfil
from .fulfilment.deletion import deletion_fulfil
from .fulfilment.export import fulfil_export
from .fulfilment.withdrawal import withdrawal_fulfil
from .models import RequestKind

FULFILMENT_HANDLERS.register(RequestKind.ACCESS, fulfil_export)  # issue #5, R2
FULFILMENT_HANDLERS.register(RequestKind.EXPORT, fulfil_export)  # issue #5, R2
FULFILMENT_HANDLERS.register(RequestKind.CORRECTION, correction_fulfil)  # issue #5, R3
FULFILMENT_HANDLERS.register(RequestKind.DELETION, deletion_fulfil)  # issue #5, R3
FULFILMENT_HANDLERS.register(RequestKind.WITHDRAWAL, withdrawal_fulfil)  # issue #5, R3
FULFILMENT_HANDLERS.register(RequestKind.COMPLAINT, complaint_fulfil)  # issue #5, R3
FULFILMENT_HANDLERS.register(RequestKind.CANCELLATION, cancellation_fulfil)  # issue #5, R3
