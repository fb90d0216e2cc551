"""CSV downloads: the one writer of every export (pages and `?format=csv` of the API).

A download streams: rows are written as they come from an iterator (a queryset read with
`.iterator(chunk_size=CSV_CHUNK_SIZE)`), never collected in a list, so an export holds every row
its filter selects however many there are. The body starts with a BOM, so spreadsheet programs
read the Chinese names right, then the header.

Every cell that a spreadsheet would read as a formula (one that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return) is written with a single quote in front (OWASP, "CSV injection"),
except a plain decimal number: `-15.00` is an amount, not a formula, and stays a number.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import pgettext

from common.dates import billing_zone

# Rows fetched from the database at a time by the exports' querysets.
CSV_CHUNK_SIZE = 2000
# The stream is sent in pieces of about this many characters (not one piece a row).
_PIECE = 64 * 1024

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_cell(value):
    """The value as written in a CSV cell: numbers and None as they are, a moment in the billing
    time zone with its offset (as the pages show it), any other value as text, with a quote in
    front when it would start a formula and is not a plain number."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value, billing_zone()).isoformat() if value.tzinfo else value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Line:
    """A file for csv.writer that hands back what it is given: writerow returns the line."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The BOM and the header, then the rows, as pieces of CSV text (rows are read lazily)."""
    writer = csv.writer(_Line())
    piece = ["\ufeff", writer.writerow([csv_cell(cell) for cell in header])]
    size = 0
    for row in rows:
        line = writer.writerow([csv_cell(cell) for cell in row])
        piece.append(line)
        size += len(line)
        if size >= _PIECE:
            yield "".join(piece)
            piece, size = [], 0
    if piece:
        yield "".join(piece)


class CSVResponse(StreamingHttpResponse):
    """A streamed CSV download. `content` joins the stream, for code that wants the whole body
    at once (tests); the server sends `streaming_content` piece by piece."""

    @property
    def content(self) -> bytes:
        body = b"".join(self.streaming_content)
        self.streaming_content = [body]  # read once: later reads see the same body
        return body


def page_csv_response(filename: str, columns: Iterable[str], rows: Iterable[Iterable]):
    """A page's CSV download: its header in the reader's language (the column codes in English,
    as the API's CSVs keep them for programs; the catalogs hold them under "CSV column")."""
    header = [pgettext("CSV column", column) for column in columns]
    return csv_response(filename, header, rows)


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> CSVResponse:
    """A CSV download of `rows` (any iterable, read while the response is sent)."""
    response = CSVResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
