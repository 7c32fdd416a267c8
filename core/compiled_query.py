"""A queryset compiled to SQL once per thread, then run with new values: for the reads of every signed-in page.

The ORM compiles a queryset to SQL anew each time it runs. For a query with
joins and annotated subqueries that costs more CPU than the database takes to
answer it (about a millisecond for the person's consent states, on each home
and dashboard view). A :class:`CompiledQuery` builds the queryset once with a
marker value, keeps the compiler (which knows the select list, the related
objects and the converters) and the SQL, and on each call runs that SQL with
the marker replaced by the real value; the rows become model instances the way
``QuerySet.__iter__`` makes them (``from_db``, ``select_related`` objects,
annotations), so callers get what the queryset would have given.

Only for querysets whose SQL does not depend on the value (a filter on one
column by equality): the marker must appear among the parameters, and nowhere
else.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

from .prepared import prepared_cursor

# A value no key takes, so that it is found among the compiled parameters and only there.
MARKER = -7_319_004_211_337


class CompiledQuery:
    def __init__(self, build: Callable[[Any], QuerySet], *, using: str = DEFAULT_DB_ALIAS):
        self._build = build
        self._using = using
        self._local = threading.local()

    def __call__(self, value) -> list:
        connection = connections[self._using]
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled[0] is not connection:
            compiled = self._local.compiled = (connection, *self._compile(connection))
        _, compiler, sql, params, positions = compiled
        params = list(params)
        for position in positions:
            params[position] = value
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return self._instances(compiler, rows)

    def _compile(self, connection):
        queryset = self._build(MARKER)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = [n for n, param in enumerate(params) if param == MARKER]
        if not positions:
            raise ValueError("the marker value is not a parameter of the compiled query")
        return compiler, sql, tuple(params), tuple(positions)

    def _instances(self, compiler, rows) -> list:
        # What django.db.models.query.ModelIterable does with a compiler's rows.
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, self._using)
        instances = []
        for row in compiler.results_iter([rows]):
            instance = model.from_db(self._using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotation_col_map.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances
