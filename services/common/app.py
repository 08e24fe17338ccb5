"""The application factory every HTTP service uses, so each ``main.py`` stays thin."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from services.common import health
from services.common.aws import aws_client
from services.common.docs import serve_assets, swagger_page
from services.common.failures import UnexpectedErrors
from services.common.internal import (
    INTERNAL_TOKEN_HEADER,
    WRITE_METHODS,
    InternalToken,
    RequireInternalToken,
    internal_token_secret,
)
from services.common.logs import AccessLogMiddleware, configure_logging
from services.common.methods import HttpMethods
from services.common.problems import COMMON_PROBLEMS, document_problems, install_problem_handlers
from services.common.settings import StackSettings
from services.common.target import enforce_target

REQUEST_ID_HEADER = "X-Request-ID"

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(
    *,
    service: str,
    settings: StackSettings,
    routers: list[APIRouter],
    aws_services: tuple[str, ...],
    lifespan: Lifespan | None = None,
    description: str = "",
    serves_own_docs: bool = True,
    internal_writes: bool = True,
) -> FastAPI:
    """A FastAPI app with JSON logs, request ids, problem+json errors and health probes.

    Start-up first checks the AWS target against ``aws_services`` (the clients the
    lifespan makes), so a misconfigured process exits before its first AWS call.
    With ``internal_writes`` (every service but the gateway), writes need the stack's
    internal token (``services.common.internal``).
    """
    if internal_writes:
        aws_services = tuple(dict.fromkeys((*aws_services, "secretsmanager")))
    configure_logging(service, settings.log_level)

    @asynccontextmanager
    async def guarded(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(enforce_target, settings, aws_services)
        if internal_writes:
            app.state.internal_token = InternalToken(
                aws_client("secretsmanager", settings), internal_token_secret(settings).name
            )
        if lifespan is None:
            yield
            return
        async with lifespan(app):
            yield

    app = FastAPI(
        title=f"motostack {service}",
        description=description,
        version="0.1.0",
        lifespan=guarded,
        # The gateway replaces both with stack-wide ones.
        openapi_url="/openapi.json" if serves_own_docs else None,
        docs_url=None,
        redoc_url=None,
    )
    serve_assets(app)
    if serves_own_docs:
        title = f"{app.title} API"

        @app.get("/docs", include_in_schema=False)
        async def docs() -> HTMLResponse:
            return swagger_page("/openapi.json", title)

    app.state.settings = settings
    app.state.readiness_checks = {}  # filled by the service's lifespan
    install_problem_handlers(app)
    if internal_writes:
        app.add_middleware(RequireInternalToken)
    app.add_middleware(HttpMethods)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(AccessLogMiddleware)
    # Outermost, so the id exists before anything logs and is echoed on every response.
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        validator=_is_sane_request_id,
    )
    app.include_router(health.router)
    for router in routers:
        app.include_router(router)
    _document_common_problems(app, internal_writes=internal_writes)
    return app


INTERNAL_PROBLEMS = {
    "401": f"No `{INTERNAL_TOKEN_HEADER}`: writes on a service's own port need the stack's token",
    "403": f"The `{INTERNAL_TOKEN_HEADER}` is not this stack's",
}


def _document_common_problems(app: FastAPI, *, internal_writes: bool) -> None:
    """Every operation's documented answers include the ones any request can get."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            for operations in spec.get("paths", {}).values():
                for operation in operations.values():
                    # FastAPI's own 422 says application/json; ours are problem+json.
                    responses = operation.get("responses", {})
                    if "application/json" in responses.get("422", {}).get("content", {}):
                        del responses["422"]
            spec = document_problems(spec, COMMON_PROBLEMS)
            if internal_writes:
                writes = frozenset(method.lower() for method in WRITE_METHODS)
                document_problems(spec, INTERNAL_PROBLEMS, methods=writes)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _is_sane_request_id(value: str) -> bool:
    """Accept caller-chosen ids (not just UUIDs) as long as they are short and printable."""
    return 0 < len(value) <= 128 and value.isascii() and value.isprintable()
