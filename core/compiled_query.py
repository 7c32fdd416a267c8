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
        if compiled is None or compiled.connection is not connection:
            compiled = self._local.compiled = self._compile(connection)
        params = list(compiled.params)
        for position in compiled.positions:
            params[position] = value
        with prepared_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return compiled.instances(rows)

    def _compile(self, connection) -> "_Compiled":
        queryset = self._build(MARKER)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = [n for n, param in enumerate(params) if param == MARKER]
        if not positions:
            raise ValueError("the marker value is not a parameter of the compiled query")
        return _Compiled(connection, compiler, sql, tuple(params), tuple(positions), self._using)


class _Compiled:
    """One thread's statement and what turns its rows into instances, all worked out once.

    What ``django.db.models.query.ModelIterable`` and ``SQLCompiler.results_iter``
    do with a compiler's rows, minus the parts that depend only on the select
    list: the converters per column (looked up anew on every run, most of the
    cost of a small read), the attribute names and the related populators.
    """

    def __init__(self, connection, compiler, sql: str, params: tuple, positions: tuple, using: str):
        self.connection = connection
        self.sql, self.params, self.positions = sql, params, positions
        self.using = using
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.annotations = tuple(compiler.annotation_col_map.items())
        self.converters = tuple(
            (position, (tuple(functions), expression))
            for position, (functions, expression) in compiler.get_converters(
                [column[0] for column in select[: compiler.col_count]]
            ).items()
        )
        # A populator keeps nothing of the rows it fills: one set serves every run of this thread.
        self.populators = get_related_populators(klass_info, select, using)

    def instances(self, rows) -> list:
        connection, converters, populators = self.connection, self.converters, self.populators
        start, end, instances = self.start, self.end, []
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for convert in functions:
                        value = convert(value, expression, connection)
                    row[position] = value
            instance = self.model.from_db(self.using, self.init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in self.annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances
