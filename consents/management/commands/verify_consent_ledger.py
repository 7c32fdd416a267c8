from django.core.management.base import BaseCommand, CommandError

from consents.selectors import consent_ledger_verify


class Command(BaseCommand):
    help = "Check every person's chain of consent events and report the first broken link."

    def handle(self, *args, **options):
        report = consent_ledger_verify()
        if not report.ok:
            raise CommandError(
                f"Consent ledger broken for subject {report.broken_subject} at event #{report.broken_seq}: "
                f"{report.reason}."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Consent ledger intact: {report.events} events of {report.subjects} people verified.")
        )
