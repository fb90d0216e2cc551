"""Domain errors raised by services; the view layer maps them to a form error, 400 or 409.

Each carries a stable `code` (`insufficient_balance`, `voucher_expired`, …) next to its
translated message: programs and tests read the code, people read the message. The API sends
both (`{"errors": {field: [message]}, "codes": {field: [code]}}`); docs/api-errors.md lists
the codes.
"""


class ApplicationError(Exception):
    """Base of every domain error. `field` names the input at fault, or None for the whole."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    @property
    def key(self) -> str:
        return self.field or "detail"

    def as_errors(self) -> dict[str, list[str]]:
        return {self.key: [self.message]}

    def as_codes(self) -> dict[str, list[str]]:
        return {self.key: [self.code]}


class InvalidInput(ApplicationError):
    """The input breaks a rule (400)."""

    status_code = 400


class Conflict(ApplicationError):
    """The input is well formed but the current state forbids it (409).

    The API always answers `{"errors": {"detail": [...]}}` (API.md); `field` only tells a page
    which part of a form to show the message next to.
    """

    status_code = 409
    default_code = "conflict"

    @property
    def key(self) -> str:
        return "detail"


class NotFound(ApplicationError):
    """The object does not exist or belongs to another account (404)."""

    status_code = 404
    default_code = "not_found"


class Forbidden(ApplicationError):
    """The user's role does not allow this action (403)."""

    status_code = 403
    default_code = "forbidden"
