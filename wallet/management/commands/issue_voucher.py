from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.exceptions import ApplicationError
from wallet.management.commands._common import account_or_fail
from wallet.models import Voucher
from wallet.services.instruments import voucher_issue


class Command(BaseCommand):
    help = "Issue a voucher to an account (prints its id), or an activation code (--code-only)."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, help="the account (not with --code-only)")
        parser.add_argument("--amount", required=True)
        parser.add_argument("--kind", default=Voucher.Kind.ORDINARY, choices=Voucher.Kind.values)
        parser.add_argument("--valid-days", type=int, default=365)
        parser.add_argument(
            "--code-only", action="store_true", help="an unassigned code to redeem once"
        )

    def handle(self, *args, **options):
        if options["code_only"] == (options["account"] is not None):
            raise CommandError("give either --account or --code-only.")
        account_id = None if options["code_only"] else account_or_fail(options["account"]).pk
        try:
            voucher = voucher_issue(
                account_id=account_id,
                amount=options["amount"],
                kind=options["kind"],
                valid_days=options["valid_days"],
                now=timezone.now(),
            )
        except ApplicationError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from None
        self.stdout.write(voucher.code if options["code_only"] else str(voucher.pk))
