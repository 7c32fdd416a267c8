from django.core.management.base import BaseCommand, CommandError

from consents.selectors import consent_ledger_verify
from consents.tasks import consent_verification_record


class Command(BaseCommand):
    help = (
        "Check every person's chain of consent events, compare the current-state table with the ledger, "
        "and report what does not hold."
    )

    def handle(self, *args, **options):
        report = consent_ledger_verify()
        consent_verification_record(report)
        problems = []
        if report.broken_subject is not None:
            problems.append(
                f"Consent ledger broken for subject {report.broken_subject} at event #{report.broken_seq}: "
                f"{report.reason}."
            )
        for state in report.unbacked:
            problems.append(
                f"Current consent not backed by the ledger: subject {state.subject_ref or '(no chain)'}, "
                f"purpose {state.purpose}, partner {state.partner or '-'}, "
                f"says {'granted' if state.granted else 'withdrawn'}."
            )
        if report.checkpoint_problem:
            problems.append(f"Consent ledger contradicts its checkpoint: {report.checkpoint_problem}.")
        if problems:
            raise CommandError("\n".join(problems))
        against = (
            f"; it agrees with the checkpoint of {report.checkpoint_at}"
            if report.checkpoint_at
            else "; no checkpoint outside the database to compare with yet"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Consent ledger intact: {report.events} events of {report.subjects} people verified{against}."
            )
        )
