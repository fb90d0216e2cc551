"""The API's JSON parser: DRF's, with a size and a nesting limit, so no body answers 500.

Python's json decodes nested arrays and objects by recursion: ten thousand `[` raise
RecursionError, which DRF's JSONParser lets through (a 500). No body of API.md is nested more
than a few levels (a usage batch: object, list, sample), so anything deeper than
MAX_JSON_DEPTH is refused as a parse error, like malformed JSON.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

MAX_JSON_DEPTH = 64
# A batch of 10,000 usage samples is about 1.2 MB, pretty-printed about 2.5 MB.
MAX_JSON_BYTES = 8 * 1024 * 1024


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def read_at_most(stream, limit: int) -> bytes:
    """The body, or its first limit + 1 bytes when it is longer."""
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit` (without recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class LimitedJSONParser(JSONParser):
    """JSONParser that refuses bodies above MAX_JSON_BYTES (413) and nesting deeper than
    MAX_JSON_DEPTH (400 parse_error) instead of failing with RecursionError."""

    max_depth = MAX_JSON_DEPTH
    max_bytes = MAX_JSON_BYTES

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        raw = read_at_most(stream, self.max_bytes)
        if len(raw) > self.max_bytes:
            raise RequestTooLarge(
                _("The request body is larger than %(size)s MB.")
                % {"size": self.max_bytes // (1024 * 1024)}
            )
        too_deep = _("The JSON is nested more than %(depth)s levels deep.") % {
            "depth": self.max_depth
        }
        try:
            data = json.loads(
                raw.decode(encoding),
                parse_constant=json.strict_constant if self.strict else None,
            )
        except RecursionError:
            raise exceptions.ParseError(too_deep) from None
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        if json_depth_exceeds(data, self.max_depth):
            raise exceptions.ParseError(too_deep)
        return data
