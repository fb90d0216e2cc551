from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.exceptions import ApplicationError
from wallet.management.commands._common import account_or_fail
from wallet.services.balances import cash_credit


class Command(BaseCommand):
    help = "Credit a bank remittance to an account's cash balance (it pays arrears first)."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, required=True)
        parser.add_argument("--amount", required=True, help="e.g. 1000.00")
        parser.add_argument("--reference", required=True, help="the remittance reference")

    def handle(self, *args, **options):
        account = account_or_fail(options["account"])
        try:
            wallet = cash_credit(
                account_id=account.pk,
                amount=options["amount"],
                reference=options["reference"],
                now=timezone.now(),
            )
        except ApplicationError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from None
        self.stdout.write(
            f"{account.name}: cash {wallet.cash_balance:,.2f}, arrears {wallet.arrears:,.2f}"
        )
