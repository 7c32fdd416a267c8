"""The chain heads keep room on their pages for HOT updates (audit/migrations/0007)."""

import pytest
from django.db import connection

from audit.models import AuditChainHead

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fillfactor is PostgreSQL's")
def test_the_chain_head_table_leaves_ninety_percent_of_each_page_free():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [AuditChainHead._meta.db_table])
        (options,) = cursor.fetchone()

    assert "fillfactor=10" in (options or [])
