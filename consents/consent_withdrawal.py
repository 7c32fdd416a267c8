"""The consents app's own withdrawal hooks (see ``consents.withdrawal_hooks``)."""

from .location.selectors import PURPOSE_CODE as LOCATION_PURPOSE
from .location.services import location_history_delete
from .withdrawal_hooks import on_withdrawal


@on_withdrawal(LOCATION_PURPOSE)
def location_history_delete_on_withdrawal(*, subject, actor) -> None:
    # Issue #6: location records go "at once when the person withdraws location consent".
    location_history_delete(user=subject, actor=actor)
