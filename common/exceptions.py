"""Domain errors raised by services; the view layer maps them to a form error, 400 or 409."""


class ApplicationError(Exception):
    """Base of every domain error. `field` names the input at fault, or None for the whole."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_errors(self) -> dict[str, list[str]]:
        return {self.field or "detail": [self.message]}


class InvalidInput(ApplicationError):
    """The input breaks a rule (400)."""

    status_code = 400


class Conflict(ApplicationError):
    """The input is well formed but the current state forbids it (409).

    The API always answers `{"errors": {"detail": [...]}}` (API.md); `field` only tells a page
    which part of a form to show the message next to.
    """

    status_code = 409

    def as_errors(self) -> dict[str, list[str]]:
        return {"detail": [self.message]}


class NotFound(ApplicationError):
    """The object does not exist or belongs to another account (404)."""

    status_code = 404


class Forbidden(ApplicationError):
    """The user's role does not allow this action (403)."""

    status_code = 403
