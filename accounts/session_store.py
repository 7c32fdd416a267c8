"""Sessions in the database, read through the shared cache: a signed-in page view queries no session row.

Django's ``cached_db`` store, used only while the cache is shared by every
process (Redis, answering). Otherwise it is the plain database store: with a
per-process memory cache (development, tests, or Redis down, when
``core.cache`` falls back to process memory) a session ended in one process
— "sign out everywhere", a deletion, an officer ending sessions — would live
on in the copies of the others.

Every session is still written to the database first, so the sessions page,
the retention sweep and ending sessions (``SessionStore.delete``, which
removes the cached copy too) see what they always saw. A password change
ends other sessions whatever the cache holds: the user row, read on every
request, no longer matches the session's hash.

The cached copy lives at most ``SESSION_CACHE_MAX_AGE`` seconds: if Redis
misses a deletion (a session ended while Redis was down, then Redis came back
with its data), the ended session is refused from the database after that.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

from core.cache import cache_shared_now


class SessionStore(CachedDBStore):
    cache_key_prefix = "accounts.session_store:"

    def _cached(self) -> bool:
        return cache_shared_now(self._cache)

    def _cache_age(self, age: int) -> int:
        return max(0, min(age, settings.SESSION_CACHE_MAX_AGE))

    def load(self):
        if not self._cached():
            return DBStore.load(self)
        data = self._cache.get(self.cache_key)
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        self._cache.set(self.cache_key, data, self._cache_age(self.get_expiry_age(expiry=row.expire_date)))
        return data

    def exists(self, session_key):
        if self._cached() and session_key and (self.cache_key_prefix + session_key) in self._cache:
            return True
        return DBStore.exists(self, session_key)

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        if self._cached():
            self._cache.set(self.cache_key, self._session, self._cache_age(self.get_expiry_age()))

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        # Whether or not the cache is shared now: a copy written while it was must go.
        self._cache.delete(self.cache_key_prefix + session_key)
