from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.exceptions import ApplicationError
from wallet.services.adjustments import bill_adjust, bill_amount_due


class Command(BaseCommand):
    help = (
        "Adjust a daily bill (SPEC 6.1): --amount > 0 a debit, settled today by the waterfall; "
        "< 0 a credit that gives back what paid the bill. The bill itself is never edited."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bill", type=int, required=True)
        parser.add_argument("--amount", required=True, help="e.g. 5.00 or -40.00")
        parser.add_argument("--reason", required=True, help="shown to the customer")
        parser.add_argument("--item", default=None, help="the item code it corrects")
        parser.add_argument("--retention-days", type=int, default=None)
        parser.add_argument("--quantity", type=int, default=None, help="raw quantity change")

    def handle(self, *args, **options):
        try:
            adjustment = bill_adjust(
                bill_id=options["bill"],
                amount=options["amount"],
                reason=options["reason"],
                item_code=options["item"],
                retention_days=options["retention_days"],
                quantity_delta=options["quantity"],
                now=timezone.now(),
            )
        except ApplicationError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from None
        sources = ", ".join(f"{key} {value}" for key, value in adjustment.sources.items())
        self.stdout.write(
            f"adjustment {adjustment.pk} on bill {adjustment.bill_id}: {adjustment.amount:+,.2f} "
            f"({sources or 'nothing moved'}); the bill now costs "
            f"{bill_amount_due(adjustment.bill):,.2f}"
        )
