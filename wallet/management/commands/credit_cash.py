from django.core.management.base import BaseCommand

from wallet.management.commands._common import for_the_account
from wallet.services.balances import cash_credit


class Command(BaseCommand):
    help = (
        "Credit a bank remittance to an account's cash balance (it pays arrears first), once per "
        "reference: run again, it says when it was credited and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, required=True)
        parser.add_argument("--amount", required=True, help="e.g. 1000.00")
        parser.add_argument("--reference", required=True, help="the remittance reference")

    def handle(self, *args, **options):
        account, credit = for_the_account(cash_credit, options, reference=options["reference"])
        wallet, remittance = credit.wallet, credit.remittance
        if not credit.created:
            self.stdout.write(
                f"remittance {remittance.reference}: already credited on {remittance.credited_on} "
                f"({remittance.amount:,.2f}); nothing changed"
            )
        self.stdout.write(
            f"{account.name}: cash {wallet.cash_balance:,.2f}, arrears {wallet.arrears:,.2f}"
        )
