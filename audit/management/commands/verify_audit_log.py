from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_log_verify
from audit.tasks import audit_verification_record


class Command(BaseCommand):
    help = (
        "Check every partition of the audit log's hash chain, from where the last intact verification reached "
        "(or from the first event with --full), compare it with the latest signed checkpoint, and report the "
        "first broken link."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="walk every partition from its first event, not from where the last verification reached",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="partitions verified at once, each with its own connection (default: AUDIT_VERIFY_WORKERS)",
        )

    def handle(self, *args, **options):
        if options["workers"] is not None and options["workers"] < 1:
            raise CommandError("--workers must be 1 or more.")
        report = audit_log_verify(full=options["full"], workers=options["workers"])
        audit_verification_record(report)
        if not report.ok:
            raise CommandError(
                f"Audit log broken at {report.where}: {report.reason} ({report.checked} events verified before it)."
            )
        against = (
            f"; it agrees with the checkpoint of {report.checkpoint_at}"
            if report.checkpoint_at
            else "; no checkpoint outside the database to compare with yet"
        )
        scope = "from the first event" if report.full else f"after the verification of {report.verified_at}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.checked} events verified in {len(report.partitions)} partitions, "
                f"{scope}{against}."
            )
        )
