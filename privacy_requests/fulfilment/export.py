"""Completing an access or export request: build the person's ZIP in a worker."""

from privacy_requests.exports.services import export_queue


def fulfil_export(*, request, actor) -> None:
    # Runs inside the completing transaction; the build is queued after commit.
    export_queue(request=request)
