"""API plumbing shared by every app: the error shape of API.md, for every error."""

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions as drf_exceptions
from rest_framework import renderers, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.exceptions import ApplicationError, InvalidInput
from common.money import format_price, parse_amount


def _as_string_lists(detail: Any) -> Any:
    """DRF error details (or their codes) as plain strings, keeping the field structure."""
    if isinstance(detail, dict):
        return {str(key): _as_string_lists(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [str(item) for item in detail]
        return [_as_string_lists(item) for item in detail]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every 4xx answers `{"errors": {"field": ["message", ...]}, "codes": {"field": ["code",
    ...]}}`; "detail" is the whole input; each message has its stable code at the same place."""
    if isinstance(exc, ApplicationError):
        return Response(
            {"errors": exc.as_errors(), "codes": exc.as_codes()}, status=exc.status_code
        )
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, drf_exceptions.APIException) else response.data
    errors = _as_string_lists(detail)
    codes = (
        _as_string_lists(exc.get_codes())
        if isinstance(exc, drf_exceptions.APIException)
        else {"detail": ["error"]}
    )
    if not isinstance(errors, dict):
        errors, codes = {"detail": errors}, {"detail": codes}
    response.data = {"errors": _flat(errors), "codes": _flat(codes, codes=True)}
    return response


def _flat(errors: dict, *, codes: bool = False) -> dict:
    """Errors of a list's items come keyed by index ({"workspaces": {"1": [...]}}): they stay
    under their field, each message naming its item ("[1] A valid integer is required."; a code
    stays the code), so every value of the body is a list of messages."""
    return {
        key: _messages(value, codes=codes) if isinstance(value, dict) else value
        for key, value in errors.items()
    }


def _messages(nested: dict, *, codes: bool, path: str = "") -> list:
    found: list = []
    for key, value in nested.items():
        where = f"{path}[{key}]" if key.isdigit() else f"{path}.{key}"
        if isinstance(value, dict):
            found += _messages(value, codes=codes, path=where)
        else:
            found += [item if codes else f"{where} {item}" for item in value]
    return found


class ErrorSerializer(serializers.Serializer):
    """The documented error body: each key is a field name, or "detail" for the whole request."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text='Field name (or "detail") → list of messages.',
    )
    codes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="The same keys → the stable code of each message (insufficient_balance, …).",
    )


BIGINT_MAX = 2**63 - 1


def choice_param(value: str | None, *, field: str, choices, code: str = "invalid") -> str | None:
    """A query parameter that names one of `choices` (empty: none); anything else is a 400 that
    names the field and lists the choices."""
    if value and value not in choices:
        raise InvalidInput(
            _("%(field)s is one of %(values)s.") % {"field": field, "values": ", ".join(choices)},
            field=field,
            code=code,
        )
    return value or None


def parse_id(value: object) -> int | None:
    """A database id from user input, or None when it cannot name a row."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= BIGINT_MAX else None


class TypedInputSerializer(serializers.Serializer):
    """A serializer whose validated data is a typed value: `parse` (a plain function that
    raises InvalidInput with the field at fault and a code) builds it from the raw body. The
    declared fields document the body in the OpenAPI schema. A subclass names its parser:
    `parse = staticmethod(order_request_parse)`."""

    parse = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.parse is None:
            raise TypeError(f"{cls.__name__} needs a parse function")

    def to_internal_value(self, data):
        try:
            return self.parse(data)
        except InvalidInput as error:
            raise serializers.ValidationError(
                {error.key: [serializers.ErrorDetail(error.message, code=error.code)]}
            ) from None


class MoneyField(serializers.DecimalField):
    """An amount: a string with 2 decimals."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)


class StrictMoneyField(MoneyField):
    """An amount from input, read by the one strict parser (common.money.parse_amount): a plain
    decimal with at most 2 decimals, positive (or zero with allow_zero), at most MAX_AMOUNT.
    DRF's DecimalField would take "1E+3" and is bounded only by its digits; this field answers
    the parser's codes (invalid_amount, too_many_decimals, amount_too_large, …). With
    allow_blank an empty (or blank) string is None (e.g. "no threshold")."""

    def __init__(self, *, allow_zero: bool = False, allow_blank: bool = False, **kwargs):
        self.allow_zero = allow_zero
        self.allow_blank = allow_blank
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if self.allow_blank and isinstance(data, str) and not data.strip():
            return True, None
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        try:
            return parse_amount(data, field=self.field_name, allow_zero=self.allow_zero)
        except InvalidInput as error:
            raise serializers.ValidationError(error.message, code=error.code) from None


class PriceField(serializers.DecimalField):
    """A unit price or rate: at least 2 decimals, up to 6."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return format_price(value)


class CSVRenderer(renderers.BaseRenderer):
    """Lets `?format=csv` through content negotiation; views answer CSV themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data, default=str).encode()  # an error body under ?format=csv


class CSVDownloadMixin:
    """An API view that also answers `?format=csv` (documented by CSV_FORMAT)."""

    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]


def wants_csv(request) -> bool:
    return request.query_params.get("format") == "csv"


CSV_FORMAT = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="csv: a spreadsheet download"
)
