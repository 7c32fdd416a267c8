"""The PostgreSQL backend of the test suite: Django's, with one change to how it empties tables.

Between transactional tests (``transaction=True``, ``live_server``) the test
runner empties every table with one ``TRUNCATE``. The audit log and the consent
ledger refuse ``TRUNCATE`` with a trigger, as they must in production. The
flush therefore runs with ``session_replication_role = replica`` (which skips
ordinary triggers) for its own transaction only (``SET LOCAL``), so tests
still see every trigger and production's backend is untouched. The test
runner connects as a superuser, which that setting requires.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        # execute_sql_flush runs these in one transaction, so the setting ends with it.
        return ["SET LOCAL session_replication_role = replica;", *statements]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
