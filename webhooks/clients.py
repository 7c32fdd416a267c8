"""The service clients webhooks go to: which exist, are active, and what scopes they hold.

Until the ServiceClient model is merged (branch oauth) every client id is
taken as active with every scope; this module is the one place that changes.
"""

from .events import EVENT_SCOPES


def client_scopes(client_ids) -> dict[int, list[str]]:
    """client id -> scopes, for the active clients among ``client_ids``."""
    every = sorted(set().union(*EVENT_SCOPES.values()))
    return {int(client_id): every for client_id in client_ids}
