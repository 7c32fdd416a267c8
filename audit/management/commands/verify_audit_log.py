from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_log_verify
from audit.tasks import audit_verification_record


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain and compare it with the latest signed checkpoint; "
        "report the first broken link."
    )

    def handle(self, *args, **options):
        report = audit_log_verify()
        audit_verification_record(report)
        if not report.ok:
            raise CommandError(
                f"Audit log broken at event #{report.broken_seq}: {report.reason} "
                f"({report.checked} events verified before it)."
            )
        against = (
            f"; it agrees with the checkpoint of {report.checkpoint_at}"
            if report.checkpoint_at
            else "; no checkpoint outside the database to compare with yet"
        )
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {report.checked} events verified{against}."))
