import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.services.nightly import deduction_run_day, deduction_run_due
from common.dates import billing_day, parse_day
from common.exceptions import InvalidInput
from quota.models import BillingRun


class Command(BaseCommand):
    help = (
        "Bill synchronously with the code of the nightly run: one day with --date, otherwise "
        "every due day (unbilled days with usage, unfinished runs, yesterday), oldest first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Billing day YYYY-MM-DD (default: every due day, oldest first)"
        )
        parser.add_argument("--chunk-size", type=int, default=None, help="Workspaces per chunk")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Processes on this machine that bill chunks side by side (default 1)",
        )

    def handle(self, *args, **options):
        now = timezone.now()
        day = _day_from(options, today=billing_day(now))
        interactive = sys.stdout.isatty()
        progress = self._progress(interactive)
        try:
            runs, beyond = _deduct(
                day=day,
                now=now,
                progress=progress,
                chunk_workspaces=options["chunk_size"],
                workers=options["workers"],
            )
        except Exception as error:
            if interactive:
                self.stdout.write("")
            raise CommandError(
                f"{type(error).__name__}: {error} (run it again to resume)"
            ) from None
        self._report(runs, beyond)

    def _progress(self, interactive: bool):
        """The per-chunk progress callback: a bar redrawn in place on a terminal, otherwise a
        line at each tenth and at the end."""

        def progress(billing: date, done: int, total: int) -> None:
            width = 30
            filled = width * done // total if total else width
            line = f"{billing}  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} chunks"
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
                self.stdout.flush()
                if done == total:
                    self.stdout.write("")
            elif done == total or done % max(total // 10, 1) == 0:
                self.stdout.write(line)

        return progress

    def _report(self, runs: list[BillingRun], beyond: list[date]) -> None:
        """A summary line per run, the unbilled days beyond catch-up, and an error when a run
        left accounts unbilled."""
        for run in runs:
            self.stdout.write(self._summary(run))
        if not runs:
            self.stdout.write("Nothing due: every day with usage is billed.")
        if beyond:
            listed = ", ".join(str(unbilled) for unbilled in beyond)
            self.stderr.write(
                f"Unbilled days with usage older than catch-up (bill each with --date): {listed}"
            )
        partial = [run for run in runs if run.status != "done"]
        if partial:
            raise CommandError(
                "Not every account could be billed: "
                + ", ".join(f"{run.day} ({run.status})" for run in partial)
                + "; see Billing account failures in admin."
            )

    @staticmethod
    def _summary(run: BillingRun) -> str:
        seconds = f"{run.duration_seconds:.1f} s" if run.duration_seconds is not None else "-"
        isolated = run.account_failures.filter(resolved_at__isnull=True).count()
        extra = f", {isolated} account(s) isolated" if isolated else ""
        return (
            f"{run.day}: {run.status}, {run.bills_written} bill(s) "
            f"in {run.total_chunks} chunk(s){extra}, {seconds}"
        )


def _day_from(options: dict, *, today: date) -> date | None:
    """The --date day (None without it), after checking --date, --chunk-size and --workers."""
    day = None
    if options["date"]:
        try:
            day = parse_day(options["date"], field="date")
        except InvalidInput:
            raise CommandError(f"--date {options['date']!r} is not a date (YYYY-MM-DD).") from None
        if day >= today:
            raise CommandError(f"{day} has not ended yet; only past days are billed.")
    if options["chunk_size"] is not None and options["chunk_size"] < 1:
        raise CommandError("--chunk-size must be at least 1.")
    if not 1 <= options["workers"] <= 64:
        raise CommandError("--workers must be between 1 and 64.")
    return day


def _deduct(*, day, now, progress, chunk_workspaces, workers) -> tuple[list, list]:
    """Bill `day`, or every due day without one; returns (runs, days beyond catch-up)."""
    if day is not None:
        run = deduction_run_day(
            day=day,
            now=now,
            on_progress=lambda done, total: progress(day, done, total),
            chunk_workspaces=chunk_workspaces,
            workers=workers,
        )
        return [run], []
    report = deduction_run_due(
        now=now, on_progress=progress, chunk_workspaces=chunk_workspaces, workers=workers
    )
    return report.runs, report.beyond_catch_up
