from django.core.management.base import BaseCommand, CommandError

from wallet.services.ledger import balances_match


class Command(BaseCommand):
    help = "Check that every balance equals the sum of its ledger entries (all accounts)."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, help="only this account")

    def handle(self, *args, **options):
        problems = balances_match(account_id=options["account"])
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"ledger check failed: {len(problems)} problem(s).")
        self.stdout.write("ledger clean: every balance equals the sum of its entries")
