from django.core.management.base import BaseCommand

from wallet.management.commands._common import for_the_account
from wallet.services.refunds import cash_refund, refund_made_on


class Command(BaseCommand):
    help = (
        "Refund unspent cash to the customer's bank (SPEC 6.3): never more than the cash "
        "balance, once per reference: run again, it says when it was refunded and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, required=True)
        parser.add_argument("--amount", required=True, help="e.g. 1000.00")
        parser.add_argument("--reference", required=True, help="the bank transfer's reference")

    def handle(self, *args, **options):
        account, result = for_the_account(cash_refund, options, reference=options["reference"])
        wallet, refund = result.wallet, result.refund
        if result.created:
            self.stdout.write(f"refund {refund.reference}: {refund.amount:,.2f} refunded")
        else:
            self.stdout.write(
                f"refund {refund.reference}: already refunded on {refund_made_on(refund)} "
                f"({refund.amount:,.2f}); nothing changed"
            )
        self.stdout.write(f"{account.name}: cash {wallet.cash_balance:,.2f}")
