"""Print a single-use authenticator enrolment link for a staff member (the first one, on a new server)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.two_factor.enrolment import EnrolmentRefused, staff_enrolment_issue


class Command(BaseCommand):
    help = "Issue a staff member's authenticator enrolment link (valid 24 hours, single use) and print it."

    def add_arguments(self, parser):
        parser.add_argument("email", help="the staff member's email address")

    def handle(self, *args, email, **options):
        staff_member = User.objects.filter(email__iexact=email.strip()).first()
        if staff_member is None:
            raise CommandError("No account has this email address.")
        try:
            link = staff_enrolment_issue(staff_member=staff_member, issued_by=None)
        except EnrolmentRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Enrolment link for {staff_member.get_username()} (single use, valid 24 hours; "
            "the staff member signs in with their password, then opens it):"
        )
        self.stdout.write(link)
