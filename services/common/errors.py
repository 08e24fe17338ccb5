"""Domain errors: raised by models, turned into problem+json by the HTTP layer."""

from typing import ClassVar


class DomainError(Exception):
    """Base of the errors a client can act on; ``status`` is the HTTP status it maps to."""

    status = 400
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Unavailable(DomainError):
    """A dependency (AWS, a credential store) cannot be used right now; worth a retry."""

    status = 503
    headers: ClassVar[dict[str, str]] = {"Retry-After": "5"}


class InvalidField(DomainError):
    """A request field that passed schema validation but is still wrong (e.g. a forged cursor)."""

    status = 422

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])
