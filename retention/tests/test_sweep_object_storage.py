"""The retention sweep deletes export files from an S3-compatible object store (moto's server).

With several hosts, a sweep run by any worker must reach every copy; files
on one host's disk were missed by a sweep on another, and outlived their
rows. Through the shared store, the object goes with its row.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from personal_data.models import LegalHold
from privacy_requests.exports import services as export_services
from privacy_requests.models import ExportFile, PrivacyRequest
from retention.sweep import retention_sweep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _built_export(person, *, ready_days_ago: int, reference: str) -> ExportFile:
    """A real build into the store, then aged."""
    request = PrivacyRequest.objects.create(reference=reference, kind="export", requester=person)
    export = ExportFile.objects.create(request=request)
    assert export_services.export_build_run(export_id=export.pk) is True
    ready = timezone.now() - timedelta(days=ready_days_ago)
    ExportFile.objects.filter(pk=export.pk).update(ready_at=ready, expires_at=ready + timedelta(days=7))
    export.refresh_from_db()
    return export


def test_the_sweep_deletes_the_object_of_each_swept_row_from_the_bucket(only_rule, s3_storage):
    only_rule("export_files")
    person, held = UserFactory(), UserFactory()
    old = _built_export(person, ready_days_ago=8, reference="RS-OLD")
    fresh = _built_export(person, ready_days_ago=1, reference="RS-NEW")
    kept = _built_export(held, ready_days_ago=8, reference="RS-HELD")
    LegalHold.objects.create(
        user=held, category="export_files", reason="Court order 2026-17", review_date=timezone.localdate()
    )
    assert s3_storage.keys() == sorted([old.file_name, fresh.file_name, kept.file_name])

    report = retention_sweep()

    assert s3_storage.keys() == sorted([fresh.file_name, kept.file_name])
    assert not ExportFile.objects.filter(pk=old.pk).exists()
    line = report.lines.get(rule_code="export_files")
    assert (line.rows_deleted, line.rows_held) == (1, 1)
