"""The consents app's own withdrawal hooks (see ``consents.withdrawal_hooks``)."""

from .location.selectors import PURPOSE_CODE as LOCATION_PURPOSE
from .location.services import location_history_delete
from .personalisation.selectors import PURPOSE_CODE as RECOMMENDATIONS_PURPOSE
from .personalisation.services import interest_tags_delete_on_withdrawal
from .withdrawal_hooks import on_withdrawal


@on_withdrawal(LOCATION_PURPOSE)
def location_history_delete_on_withdrawal(*, subject, actor) -> None:
    # Issue #6: location records go "at once when the person withdraws location consent".
    location_history_delete(user=subject, actor=actor)


@on_withdrawal(RECOMMENDATIONS_PURPOSE)
def interest_tags_delete_on_recommendations_withdrawal(*, subject, actor) -> None:
    # Interest tags exist only for recommendations: a withdrawal from the dashboard,
    # the API or staff removes them as the panel's own opt-out does.
    interest_tags_delete_on_withdrawal(user=subject, actor=actor)
