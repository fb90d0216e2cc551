import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from common.exceptions import ApplicationError
from quota.services import usage_ingest
from quota.services.usage import BatchInvalid

COLUMNS = ["workspace", "item", "retention_days", "hour", "quantity"]


def _number(text: str):
    """An int when the cell is one; the text otherwise, so that validation names the cell."""
    text = text.strip()
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return text


class Command(BaseCommand):
    help = "Import usage samples from a CSV file (workspace,item,retention_days,hour,quantity)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header row")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or [name.strip() for name in reader.fieldnames] != COLUMNS:
                raise CommandError(f"{path}: the header must be {','.join(COLUMNS)}.")
            samples = [
                {
                    "workspace": _number(row["workspace"] or ""),
                    "item": (row["item"] or "").strip(),
                    "retention_days": _number(row["retention_days"] or ""),
                    "hour": (row["hour"] or "").strip(),
                    "quantity": _number(row["quantity"] or ""),
                }
                for row in reader
            ]
        try:
            ingested = usage_ingest(samples=samples, now=timezone.now(), operator_import=True)
        except BatchInvalid as error:
            for key, messages in list(error.errors.items())[:50]:
                index = int(key.split("[", 1)[1].split("]", 1)[0])
                field = key.split(".", 1)[1] if "." in key else "row"
                self.stderr.write(f"line {index + 2}: {field}: {'; '.join(messages)}")
            raise CommandError(
                f"{path}: {len(error.errors)} bad cell(s); nothing was imported."
            ) from None
        except ApplicationError as error:
            raise CommandError(f"{path}: {error.message}") from None
        late = (
            f", {ingested.late} of them late (billed days: re-rated by the next run)"
            if ingested.late
            else ""
        )
        self.stdout.write(f"imported {ingested.accepted} sample(s) from {path}{late}")
