from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LoginActivity
from retention.models import RetentionRule


@pytest.fixture
def only_rule(db):
    """Keep one seeded rule active, so a test's counts are that rule's alone."""

    def choose(code: str) -> RetentionRule:
        RetentionRule.objects.exclude(code=code).update(active=False)
        return RetentionRule.objects.get(code=code)

    return choose


@pytest.fixture
def sign_ins(db):
    """``sign_ins(user, days_ago, n)``: n sign-in records of ``user`` made ``days_ago`` days ago."""

    def make(user, days_ago: int, n: int = 1) -> list[int]:
        rows = LoginActivity.objects.bulk_create([LoginActivity(user=user, method="password") for _ in range(n)])
        ids = [row.pk for row in rows]
        LoginActivity.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(days=days_ago))
        return ids

    return make
