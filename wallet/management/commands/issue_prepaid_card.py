from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.exceptions import ApplicationError
from wallet.management.commands._common import account_or_fail
from wallet.services.instruments import prepaid_card_issue


class Command(BaseCommand):
    help = "Issue a partner-allocated prepaid card to an account; prints its id."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, required=True)
        parser.add_argument("--amount", required=True, help="a multiple of 100")
        parser.add_argument("--valid-days", type=int, default=365)

    def handle(self, *args, **options):
        account = account_or_fail(options["account"])
        try:
            card = prepaid_card_issue(
                account_id=account.pk,
                amount=options["amount"],
                valid_days=options["valid_days"],
                now=timezone.now(),
            )
        except ApplicationError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from None
        self.stdout.write(str(card.pk))
