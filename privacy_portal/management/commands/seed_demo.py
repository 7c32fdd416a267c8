from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import StaffRole
from privacy_portal.demo import demo_identities, seed_demo, seed_demo_service_client


class Command(BaseCommand):
    help = "Create demo citizens and one staff user per role, and print how to sign in."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is not allowed with these settings (DEMO_DATA_ALLOWED is off).")
        seeded = seed_demo()
        self.stdout.write("Demo accounts (demo data only, never use these passwords elsewhere):")
        for entry in seeded:
            person = entry.person
            role = person.role or ("superuser" if person.superuser else "citizen")
            state = "created" if entry.created else "exists"
            self.stdout.write(f"  {role:<17} {person.email:<24} password: {entry.password}  [{state}]")
            if entry.recovery_codes:
                self.stdout.write(
                    f"  {'':<17} admin second factor (one-time recovery codes): {' '.join(entry.recovery_codes)}"
                )
        self.stdout.write(
            "Sandbox identities for real-name verification (enter the name and ID number on /account/identity/verify/):"
        )
        officer = next(entry.user for entry in seeded if entry.person.role == StaffRole.PRIVACY_OFFICER)
        client, secret = seed_demo_service_client(officer=officer)
        self.stdout.write("Demo service client (OAuth2 client credentials, scope consent:check; docs/api.md):")
        if secret is None:
            self.stdout.write(
                f"  {client.name}  client id: {client.client_id}  [exists: rotate its secret in admin to see a new one]"
            )
        else:
            self.stdout.write(f"  {client.name}  client id: {client.client_id}  secret: {secret}  [created]")
            self.stdout.write(
                "  curl -u <client id>:<secret> -d grant_type=client_credentials http://localhost:8000/o/token/"
            )
        for identity in demo_identities():
            self.stdout.write(f"  {identity.legal_name:<6} {identity.id_number}  ({identity.note})")
        self.stdout.write(
            '  Try zhang.san@example.cn with 张三 to reach level 2; 李四\'s number answers "unavailable"; '
            "xiao.ming@example.cn is a minor's account a verified adult can link to as guardian."
        )
