import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.dates import ONE_DAY, billing_day
from quota.services import deduction_run_day


class Command(BaseCommand):
    help = "Bill one day synchronously (default: yesterday) with the code of the nightly run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Billing day YYYY-MM-DD (default: yesterday, Asia/Shanghai)"
        )
        parser.add_argument("--chunk-size", type=int, default=None, help="Workspaces per chunk")

    def handle(self, *args, **options):
        now = timezone.now()
        today = billing_day(now)
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date {options['date']!r} is not a date (YYYY-MM-DD)."
                ) from None
        else:
            day = today - ONE_DAY
        if day >= today:
            raise CommandError(f"{day} has not ended yet; only past days are billed.")
        if options["chunk_size"] is not None and options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1.")
        interactive = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // total if total else width
            line = f"{day}  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} chunks"
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
                self.stdout.flush()
            elif done == total or done % max(total // 10, 1) == 0:
                self.stdout.write(line)

        try:
            run = deduction_run_day(
                day=day, now=now, on_progress=progress, chunk_workspaces=options["chunk_size"]
            )
        except Exception as error:
            if interactive:
                self.stdout.write("")
            raise CommandError(
                f"{day}: {type(error).__name__}: {error} (run it again to resume)"
            ) from None
        if interactive:
            self.stdout.write("")
        seconds = f"{run.duration_seconds:.1f} s" if run.duration_seconds is not None else "-"
        self.stdout.write(
            f"{day}: {run.status}, {run.bills_written} bill(s) "
            f"in {run.total_chunks} chunk(s), {seconds}"
        )
