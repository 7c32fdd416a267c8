"""How many times this thread has written to an inbox: says when a count read earlier is still good.

The signed-in person's unread count is read with the person at the start of
a request (``accounts.session_user``), so the header asks nothing more. A
page that reads or marks messages, or that tells someone something, changes
counts after that; every write to inbox rows goes through a function here
that moves this thread's epoch on, and the header then counts afresh. Other
threads' writes (another request, a worker) are not seen, as they were not
before: the count is of the moment the request read it.
"""

import threading


class _Epoch(threading.local):
    value = 0


_epoch = _Epoch()


def inbox_epoch() -> int:
    return _epoch.value


def inbox_changed() -> None:
    """Inbox rows were written by this thread: counts read before are stale."""
    _epoch.value += 1
