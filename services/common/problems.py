"""RFC 9457 problem details for every error a service returns.

Clients get a status, a title, a human ``detail``, the request id to quote in a
bug report and, for validation errors, which field failed and why. Stack traces
go to the log, never to the client.
"""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.errors import DomainError

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `price_cents`.")
    reason: str


class Problem(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = Field(default=None, description="Quote it when reporting a bug.")
    errors: list[FieldError] | None = Field(default=None, description="Set on 422 only.")


def problem_responses(**described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error statuses, e.g. ``problem_responses(**{"404": "..."})``."""
    return {
        int(status): {
            "description": description,
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
        }
        for status, description in described.items()
    }


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response; ``extra`` adds members such as ``errors``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body["request_id"] = correlation_id.get()
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Pydantic's error list as ``{field, in, reason}``, with the field as a dotted path."""
    errors = []
    for err in exc.errors():
        where, *path = [str(part) for part in err.get("loc", ())] or ["body"]
        errors.append(
            {"field": ".".join(path) or where, "in": where, "reason": str(err.get("msg"))}
        )
    return errors


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem(422, detail, instance=request.url.path, extra={"errors": errors})


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, str(exc.detail), instance=request.url.path, headers=exc.headers)


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(
        exc.status, exc.detail, title=exc.title, instance=request.url.path, extra=exc.extra
    )


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "The server hit an unexpected error.", instance=request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
