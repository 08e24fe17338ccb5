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
from starlette.requests import ClientDisconnect

from services.common.errors import DomainError

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger(__name__)

_TITLES = {422: "Unprocessable Content"}
"""RFC 9110's names where Python's ``HTTPStatus`` still uses older ones."""


def title_of(status: int) -> str:
    """The one title every problem with ``status`` carries, whichever layer answers it."""
    return _TITLES.get(status) or HTTPStatus(status).phrase


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
    errors: list[FieldError] | None = Field(default=None, description="Set on 400 and 422.")


PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
"""Where :func:`document_problems` puts the Problem schema in every service's document."""


def problem_responses(**described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error statuses, e.g. ``problem_responses(**{"404": "..."})``.

    Only ``application/problem+json``, with its schema: given a ``model``, FastAPI would put
    the schema under an ``application/json`` these answers never have, and leave the
    problem+json body they do have unchecked."""
    return {
        int(status): {
            "description": description,
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for status, description in described.items()
    }


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response; ``extra`` adds members such as ``errors``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title_of(status),
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
    # A body that is not JSON at all is malformed syntax (400), not a field a client can fix.
    status = 400 if any(e.get("type") == "json_invalid" for e in exc.errors()) else 422
    return problem(status, detail, instance=request.url.path, extra={"errors": errors})


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, str(exc.detail), instance=request.url.path, headers=exc.headers)


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem(
        exc.status, exc.detail, instance=request.url.path, headers=exc.headers, extra=exc.extra
    )


async def _on_client_gone(request: Request, exc: Exception) -> JSONResponse:
    """The client left before its body arrived: nobody reads this answer, but the access
    log says 400 for it, not 500, and no traceback is logged as if it were a bug."""
    return problem(400, "the request body did not arrive: the client went away",
                   instance=request.url.path)  # fmt: skip


def install_problem_handlers(app: FastAPI) -> None:
    """Errors a client can act on; everything else is ``failures.UnexpectedErrors``'s."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(ClientDisconnect, _on_client_gone)


COMMON_PROBLEMS = {
    "400": "Malformed request: the body is not JSON, or the path is not allowed",
    "405": "Method not allowed on this path; `Allow` lists the ones that are",
    "422": "A field is invalid; `errors` names it and says why",
    "500": "A bug: quote the request id",
    "503": "A dependency (AWS) is unavailable right now; retry after `Retry-After` seconds",
}
"""Answers any operation can give, documented on every operation so clients (and the
API fuzzer in the test suite) can rely on the documented list being complete."""


def document_problems(
    spec: dict[str, Any],
    described: Mapping[str, str],
    *,
    methods: frozenset[str] | None = None,
    replace: bool = False,
) -> dict[str, Any]:
    """``spec`` with a problem+json response for each status in ``described`` added to every
    operation (of ``methods``, lower case, when given) that does not document it yet, or to
    every one with ``replace``."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in Problem.model_json_schema(ref_template="#/components/schemas/{model}")[
        "$defs"
    ].items():
        schemas.setdefault(name, schema)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem_schema.pop("$defs", None)
    schemas.setdefault("Problem", problem_schema)
    reference = {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if methods is not None and method not in methods:
                continue
            for status, description in described.items():
                if replace or status not in operation["responses"]:
                    operation["responses"][status] = {
                        "description": description,
                        "content": reference,
                    }
    return spec
