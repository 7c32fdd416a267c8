"""``python manage.py retention_sweep [--dry-run]``: run the retention sweep now."""

from django.core.management.base import BaseCommand

from retention.sweep import BATCH_SIZE, retention_sweep


class Command(BaseCommand):
    help = "Delete or anonymise every expired row no legal hold covers, rule by rule, and write a report."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; change nothing.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows per transaction.")

    def handle(self, *args, dry_run=False, batch_size=BATCH_SIZE, **options):
        report = retention_sweep(dry_run=dry_run, batch_size=batch_size)
        if report is None:
            self.stdout.write(self.style.WARNING("A retention sweep is already running; nothing done."))
            return
        for line in report.lines.order_by("rule_code"):
            self.stdout.write(
                f"{line.rule_code}: deleted {line.rows_deleted}, anonymised {line.rows_anonymised}, "
                f"kept for holds {line.rows_held}, {line.duration_ms} ms"
            )
        self.stdout.write(self.style.SUCCESS(f"Sweep #{report.pk} done{' (dry run)' if dry_run else ''}."))
