from django.core.management.base import BaseCommand

from wallet.management.commands._common import for_the_account
from wallet.services.instruments import prepaid_card_issue


class Command(BaseCommand):
    help = "Issue a partner-allocated prepaid card to an account; prints its id."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, required=True)
        parser.add_argument("--amount", required=True, help="a multiple of 100")
        parser.add_argument("--valid-days", type=int, default=365)

    def handle(self, *args, **options):
        _, card = for_the_account(prepaid_card_issue, options, valid_days=options["valid_days"])
        self.stdout.write(str(card.pk))
