from django.core.management.base import BaseCommand, CommandError

from wallet.management.commands._common import for_the_account
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
        _, voucher = for_the_account(
            voucher_issue, options, kind=options["kind"], valid_days=options["valid_days"]
        )
        self.stdout.write(voucher.code if options["code_only"] else str(voucher.pk))
