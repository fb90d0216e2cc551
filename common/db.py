"""Bulk writes through COPY: for the nightly run, where the ORM's bulk_create is the bottleneck."""

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import connection, models


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows (values in `columns` order; column names are attnames) into the model's table."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_text(value) for value in row) + "\n")
        count += 1
    if count:
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN", buffer
            )
    return count


def copy_objects(model: type[models.Model], objects: Iterable[models.Model]) -> int:
    """COPY unsaved model instances (every concrete field but the primary key)."""
    columns = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
    return copy_insert(
        model, columns, ([getattr(obj, column) for column in columns] for obj in objects)
    )
