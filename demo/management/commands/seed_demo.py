from django.core.management.base import BaseCommand

from demo.seed import DEMO_OWNER, DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load demo accounts, users and workspaces (idempotent: running it again adds nothing)."

    def handle(self, *args, **options):
        report = demo_seed()
        if report.created:
            for line in report.created:
                self.stdout.write(f"created {line}")
        else:
            self.stdout.write("demo data already present; nothing added")
        self.stdout.write(
            f"demo login: {DEMO_OWNER} / {DEMO_PASSWORD} (owner) — also demo-admin, demo-member; "
            f"Django admin: operator / {DEMO_PASSWORD}"
        )
