"""Bulk writes through COPY: for the nightly run, where the ORM's bulk_create is the bottleneck."""

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.db import connection, models


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json(value) -> str:
    return (
        _escaped(json.dumps(value, separators=(",", ":")))
        if value
        else ("{}" if isinstance(value, dict) else "[]")
    )


# COPY text of a value by its exact type: numbers need no escaping (the nightly run writes
# millions of them), text and JSON do.
_BY_TYPE = {
    int: str,
    Decimal: str,
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    str: _escaped,
    datetime: datetime.isoformat,
    date: date.isoformat,
    dict: _json,
    list: _json,
}


def _text(value) -> str:
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _escaped(str(value))


_NUMBERS = (models.IntegerField, models.DecimalField, models.ForeignKey)


def _converter(model: type[models.Model], column: str):
    """How one column's values become COPY text: `str` itself for a number that cannot be
    null (most of what the nightly run writes), the general `_text` for everything else."""
    field = next(field for field in model._meta.concrete_fields if field.attname == column)
    if isinstance(field, _NUMBERS) and not field.null:
        return str
    return _text


@lru_cache(maxsize=64)
def _row_format(model: type[models.Model], columns: tuple[str, ...]) -> tuple[str, tuple[int, ...]]:
    """A `%`-template of a COPY line, and the positions whose values need `_text` first: the
    numbers are formatted by the template itself, in C, in one call per row."""
    converters = [_converter(model, column) for column in columns]
    special = tuple(index for index, convert in enumerate(converters) if convert is not str)
    return "\t".join(["%s"] * len(columns)) + "\n", special


def copy_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows (values in `columns` order; column names are attnames) into the model's table."""
    template, special = _row_format(model, tuple(columns))
    width = len(columns)
    buffer = io.StringIO()
    count = 0
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} values for {width} columns")
        if special:
            row = list(row)
            for index in special:
                row[index] = _text(row[index])
        buffer.write(template % tuple(row))
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


class AnyOf(models.Lookup):
    """`field__any=[ids]`: `field = ANY(%s::bigint[])`, the same rows as `__in`, with the whole
    list sent as one array parameter instead of thousands of values prepared one by one in
    Python (the nightly run filters by a chunk's thousand accounts a dozen times)."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, [int(value) for value in self.rhs]]


models.IntegerField.register_lookup(AnyOf)
models.ForeignKey.register_lookup(AnyOf)
