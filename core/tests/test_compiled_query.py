"""A queryset compiled once (core.compiled_query) gives what the queryset gives, for every value."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler

from core.compiled_query import CompiledQuery

pytestmark = pytest.mark.django_db


def _permissions(content_type_id):
    return (
        Permission.objects.filter(content_type_id=content_type_id)
        .select_related("content_type")
        .defer("content_type__app_label")
        .annotate(model_name=F("content_type__model"))
        .order_by("codename")
    )


def _seen(permissions) -> list:
    return [(p.pk, p.codename, p.content_type.pk, p.content_type.model, p.model_name) for p in permissions]


def test_each_value_gets_the_rows_the_queryset_gives(monkeypatch):
    compiled = CompiledQuery(_permissions)
    first, second = ContentType.objects.order_by("pk")[:2]
    expected = {content_type.pk: _seen(_permissions(content_type.pk)) for content_type in (first, second)}
    compiled(first.pk)  # compiled now
    compilations = []
    real_as_sql = SQLCompiler.as_sql

    def counted(self, *args, **kwargs):
        compilations.append(self)
        return real_as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)

    for content_type in (first, second):
        assert _seen(compiled(content_type.pk)) == expected[content_type.pk] != []
    assert compilations == []


def test_a_value_with_no_rows_gives_none():
    assert CompiledQuery(_permissions)(0) == []


def test_a_query_whose_sql_would_hold_the_value_is_refused():
    compiled = CompiledQuery(lambda value: Permission.objects.all())
    with pytest.raises(ValueError, match="marker"):
        compiled(1)
