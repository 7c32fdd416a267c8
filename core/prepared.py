"""Cursors for the hot paths' fixed statements, which PostgreSQL then plans once per connection.

The consent check, the signed-in home, the dashboard and the audit log each
run a few statements whose text never changes, only their values. Their
joins and ``EXISTS`` tests take PostgreSQL longer to plan (about half a
millisecond each) than to answer, and the web processes reuse their
connections (a pool, or ``CONN_MAX_AGE``), so a statement prepared once
serves every later request on that connection.

Django binds values on the client (psycopg's ``ClientCursor``), which cannot
prepare. A :func:`prepared_cursor` binds them on the server and prepares each
statement it runs; it is wrapped like any Django cursor, so query logging,
``execute_wrapper`` and error translation see it as usual. Only statements
whose parameters PostgreSQL can type from their context belong here (a
column compared or assigned, ``= ANY`` of an id array); a bare ``%s`` in a
select list cannot be prepared.

``DATABASE_PREPARED_STATEMENTS=false`` keeps server-side binding but prepares
nothing: for a pooler that cannot keep prepared statements (PgBouncer in
transaction mode before 1.21, or with ``max_prepared_statements = 0``).
Elsewhere (SQLite) it is Django's own cursor.
"""

import contextlib
from collections.abc import Iterator

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


def _server_binding_cursor_class():
    # Imported on first use: the PostgreSQL backend module needs psycopg, which a SQLite run may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            # psycopg prepares a statement when told to, unless the connection's threshold is None
            # (DATABASE_PREPARED_STATEMENTS=false), and reuses it on every later execution.
            return super().execute(query, params, prepare=True, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg records the statement it ran only when it did not prepare it; Django's query log
            # (and the debug toolbar, and the query-count tests) read it from there.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, binary=binary)

    return PreparingCursor


_cursor_class = None


@contextlib.contextmanager
def prepared_cursor(connection: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """A cursor on ``connection`` whose statements are prepared (PostgreSQL); Django's cursor elsewhere."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    global _cursor_class
    if _cursor_class is None:
        _cursor_class = _server_binding_cursor_class()
    # What BaseDatabaseWrapper._cursor() does, with a cursor class of our choice.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = _cursor_class(connection.connection)
    with connection._prepare_cursor(raw) as cursor:
        yield cursor
