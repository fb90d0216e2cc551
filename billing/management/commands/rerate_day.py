from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.services.nightly import day_rerate_now
from common.dates import parse_day
from common.exceptions import ApplicationError
from wallet.management.commands._common import account_or_fail


class Command(BaseCommand):
    help = (
        "Re-rate a billed day now (SPEC 6.2): recompute it from the stored usage and write the "
        "differences from what is billed as adjustments, settled today. Run again, it writes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="the billed day, YYYY-MM-DD")
        parser.add_argument("--account", type=int, default=None, help="only this account")

    def handle(self, *args, **options):
        try:
            day = parse_day(options["date"], field="date")
        except ApplicationError as error:
            raise CommandError(f"--date: {error.message}") from None
        account_id = None
        if options["account"] is not None:
            account_id = account_or_fail(options["account"]).pk
        report = day_rerate_now(day=day, now=timezone.now(), account_id=account_id)
        for skipped_day, skipped_account in report.skipped:
            self.stdout.write(
                f"account {skipped_account}: {skipped_day} is not billed for it yet; skipped"
            )
        total = sum((adjustment.amount for adjustment in report.adjustments), start=0)
        self.stdout.write(
            f"{day}: {report.account_days} account(s) re-rated, "
            f"{len(report.adjustments)} adjustment(s), {total:+,.2f} in all"
        )
