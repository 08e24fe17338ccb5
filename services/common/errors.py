"""Domain errors: raised by models, turned into problem+json by the HTTP layer."""


class DomainError(Exception):
    """Base of the errors a client can act on; ``status`` is the HTTP status it maps to."""

    status = 400
    title = "Bad Request"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class InvalidField(DomainError):
    """A request field that passed schema validation but is still wrong (e.g. a forged cursor)."""

    status = 422
    title = "Unprocessable Content"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])
