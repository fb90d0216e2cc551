"""Pagination: cursor pages of the API's long lists, numbered pages of the long lists of the
pages (docs/decisions.md, "Pagination").

A page answers `{"next": url|null, "previous": url|null, "results": [...]}`, with
`Link: <…>; rel="next", <…>; rel="prev"` (RFC 8288) and `X-Total-Count` (the rows the filter
selects). The order is the selector's own `order_by`, which must end with the primary key: the
cursor holds the position of a row in every field of that order (a keyset), so a walk over
`next` returns every row exactly once, however many rows share a date, and also while rows are
added between requests. The cursor is signed: one the server did not write is a 400 (`cursor`).
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common.exceptions import InvalidInput

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_SALT = "common.pagination.cursor"
_MAX_CURSOR_LENGTH = 1000
_PAGE_SIZE_TEXT = re.compile(r"[0-9]{1,7}")
_PAGE_NUMBER_TEXT = re.compile(r"[1-9][0-9]{0,8}")


@dataclass(frozen=True)
class _Key:
    """One field of the list's order: the lookup to filter on and its model field."""

    lookup: str
    descending: bool
    field: object

    def value_of(self, row) -> object:
        return getattr(row, self.field.attname)


@dataclass(frozen=True)
class _Cursor:
    """A row's place in the order (one value per key) and the direction of the walk from it."""

    values: tuple
    reverse: bool


def _keys(queryset: QuerySet) -> list[_Key]:
    ordering = queryset.query.order_by
    assert ordering, "a paginated list needs an explicit order_by in its selector"
    assert ordering[-1].lstrip("-") in ("pk", "id"), (
        f"the order of a paginated list must end with the primary key, not {ordering!r}"
    )
    meta = queryset.model._meta
    keys = []
    for name in ordering:
        assert isinstance(name, str) and "__" not in name, f"order by own fields only: {name!r}"
        lookup = name.lstrip("-")
        field = meta.pk if lookup == "pk" else meta.get_field(lookup)
        assert not field.null, f"{lookup} may be null: a keyset needs values"
        keys.append(_Key(lookup=lookup, descending=name.startswith("-"), field=field))
    return keys


def _following(keys: list[_Key], cursor: _Cursor) -> Q:
    """The rows after the cursor's row in the walk's direction: (a, b, c) after (x, y, z) is
    a > x, or a = x and b > y, or a = x, b = y and c > z (each `>` turned for a descending key
    and for a backward walk). The bound on the first key alone lets an index narrow the scan."""
    parts, equal = [], {}
    for key, value in zip(keys, cursor.values, strict=True):
        operator = "lt" if key.descending != cursor.reverse else "gt"
        parts.append(Q(**equal, **{f"{key.lookup}__{operator}": value}))
        equal[key.lookup] = value
    first = keys[0]
    bound = "lte" if first.descending != cursor.reverse else "gte"
    return Q(**{f"{first.lookup}__{bound}": cursor.values[0]}) & reduce(or_, parts)


def _walk_order(keys: list[_Key], *, reverse: bool) -> list[str]:
    return [("-" if key.descending != reverse else "") + key.lookup for key in keys]


def _as_text(value) -> object:
    """A value of the position in JSON: ids as numbers, dates and times (with their offset and
    microseconds) in ISO 8601; each model field's to_python reads it back."""
    if isinstance(value, int):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def invalid_cursor() -> InvalidInput:
    return InvalidInput(
        _("This cursor is not one of this list's next or previous links; start without it."),
        field="cursor",
        code="invalid_cursor",
    )


class CursorPage(CursorPagination):
    """DRF's cursor pagination on the whole order of the selector (see the module). A bad
    `page_size` or `cursor` is a 400 naming it, never DRF's silent default or 404."""

    page_size = PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    template = None
    csv_alternate = False  # the list also answers ?format=csv: Link names it (rel="alternate")

    def get_page_size(self, request) -> int:
        given = request.query_params.get(self.page_size_query_param)
        if given in (None, ""):
            return self.page_size
        if not _PAGE_SIZE_TEXT.fullmatch(given) or not 1 <= int(given) <= self.max_page_size:
            raise InvalidInput(
                _("page_size is a whole number from 1 to %(max)s.") % {"max": self.max_page_size},
                field=self.page_size_query_param,
                code="invalid_page_size",
            )
        return int(given)

    def decode_cursor(self, request) -> _Cursor | None:
        given = request.query_params.get(self.cursor_query_param)
        if given in (None, ""):
            return None
        if len(given) > _MAX_CURSOR_LENGTH:
            raise invalid_cursor()
        try:
            token = signing.Signer(salt=_SALT).unsign_object(given)
        except (signing.BadSignature, ValueError, UnicodeError):
            raise invalid_cursor() from None
        if not isinstance(token, dict) or token.get("r") not in (0, 1):
            raise invalid_cursor()
        texts = token.get("p")
        if not isinstance(texts, list) or len(texts) != len(self.keys):
            raise invalid_cursor()  # a cursor of a list in another order
        try:
            values = tuple(
                key.field.to_python(text) for key, text in zip(self.keys, texts, strict=True)
            )
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise invalid_cursor() from None
        return _Cursor(values=values, reverse=bool(token["r"]))

    def encode_cursor(self, cursor: _Cursor) -> str:
        token = signing.Signer(salt=_SALT).sign_object(
            {"p": [_as_text(value) for value in cursor.values], "r": int(cursor.reverse)}
        )
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def _cursor_at(self, row, *, reverse: bool) -> _Cursor:
        return _Cursor(values=tuple(key.value_of(row) for key in self.keys), reverse=reverse)

    def paginate_queryset(self, queryset, request, view=None) -> list:
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.keys = _keys(queryset)
        self.page_size = self.get_page_size(request)
        self.cursor = self.decode_cursor(request)
        self.total = queryset.count()
        walk = queryset
        reverse = self.cursor is not None and self.cursor.reverse
        if self.cursor is not None:
            walk = walk.filter(_following(self.keys, self.cursor))
        if reverse:
            walk = walk.order_by(*_walk_order(self.keys, reverse=True))
        rows = list(walk[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
        self.next_cursor = self.previous_cursor = None
        if self.page:  # an empty page (a cursor past the end) links nowhere
            if more or reverse:
                self.next_cursor = self._cursor_at(self.page[-1], reverse=False)
            if (more and reverse) or (self.cursor is not None and not reverse):
                self.previous_cursor = self._cursor_at(self.page[0], reverse=True)
        return self.page

    def get_next_link(self) -> str | None:
        return self.encode_cursor(self.next_cursor) if self.next_cursor else None

    def get_previous_link(self) -> str | None:
        return self.encode_cursor(self.previous_cursor) if self.previous_cursor else None

    def get_paginated_response(self, data) -> Response:
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        response = Response({"next": next_link, "previous": previous_link, "results": data})
        response["X-Total-Count"] = str(self.total)
        links = []
        if next_link:
            links.append(f'<{next_link}>; rel="next"')
        if previous_link:
            links.append(f'<{previous_link}>; rel="prev"')
        if self.csv_alternate and (next_link or previous_link):
            every = replace_query_param(
                remove_query_param(self.base_url, self.cursor_query_param), "format", "csv"
            )
            every = remove_query_param(every, self.page_size_query_param)
            links.append(f'<{every}>; rel="alternate"; type="text/csv"')
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The following page; null on the last."},
                "previous": {**link, "description": "The page before; null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: from the `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page (default {PAGE_SIZE}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": PAGE_SIZE,
                },
            },
        ]


class CSVCursorPage(CursorPage):
    """A list that also answers `?format=csv`: `Link` names the CSV of all its rows."""

    csv_alternate = True


PAGE_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        int,
        OpenApiParameter.HEADER,
        response=[200],
        description="How many rows the filter selects, on every page.",
    ),
    OpenApiParameter(
        "Link",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        description='RFC 8288: `<url>; rel="next"`, `<url>; rel="prev"` (and `rel="alternate"`, '
        "the CSV of every row, where the list has one).",
    ),
]


def page_or_csv(serializer_class) -> dict:
    """The 200 of a paginated list that also answers `?format=csv`, for extend_schema: a page
    of `serializer_class` rows in JSON, the text of every row in CSV."""
    return {
        (200, "application/json"): serializer_class(many=True),
        (200, "text/csv"): OpenApiTypes.STR,
    }


class CursorPaginatedMixin:
    """An API view whose GET answers one page of a selector's list (drf-spectacular reads
    `pagination_class` for the schema: the paginated body and `cursor`, `page_size`)."""

    pagination_class = CursorPage

    def paginated_response(self, queryset, serializer_class, *, context=None) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context=context or {}).data
        return paginator.get_paginated_response(data)


@dataclass(frozen=True)
class Pager:
    """One numbered page of a page's list (`?page=N`, the other filters kept): the rows it
    shows, how many the filter selects, and the links to the others."""

    rows: list
    total: int
    first_index: int
    last_index: int
    previous_url: str | None
    next_url: str | None
    links: list  # (label, url or None, is the current page)

    @property
    def partial(self) -> bool:
        return len(self.rows) < self.total

    @property
    def first_page(self) -> bool:
        return self.previous_url is None


def page_of(request, rows: QuerySet, *, per_page: int, param: str = "page") -> Pager:
    """The page of `rows` (an ordered queryset) that `?<param>=N` asks for; what is not a page
    number shows the first page, a number past the last the last one, never an error."""
    paginator = Paginator(rows, per_page)
    given = request.GET.get(param, "")
    page = paginator.get_page(int(given) if _PAGE_NUMBER_TEXT.fullmatch(given) else 1)
    query = request.GET.copy()
    query.pop("format", None)

    def url(number: int) -> str:
        query.pop(param, None)
        if number > 1:
            query[param] = str(number)
        return f"?{query.urlencode()}" if query else "?"

    links = [
        (str(number), None, False)
        if number == paginator.ELLIPSIS
        else (str(number), url(number), number == page.number)
        for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    shown = list(page.object_list)
    return Pager(
        rows=shown,
        total=paginator.count,
        first_index=page.start_index(),
        last_index=page.start_index() + len(shown) - 1 if shown else 0,
        previous_url=url(page.previous_page_number()) if page.has_previous() else None,
        next_url=url(page.next_page_number()) if page.has_next() else None,
        links=links,
    )
