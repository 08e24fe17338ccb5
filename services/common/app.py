"""The application factory every HTTP service uses, so each ``main.py`` stays thin."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from services.common import health
from services.common.docs import serve_assets, swagger_page
from services.common.logs import AccessLogMiddleware, configure_logging
from services.common.problems import install_problem_handlers
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
) -> FastAPI:
    """A FastAPI app with JSON logs, request ids, problem+json errors and health probes.

    Start-up first checks the AWS target against ``aws_services`` (the clients the
    lifespan makes), so a misconfigured process exits before its first AWS call.
    """
    configure_logging(service, settings.log_level)

    @asynccontextmanager
    async def guarded(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(enforce_target, settings, aws_services)
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
    return app


def _is_sane_request_id(value: str) -> bool:
    """Accept caller-chosen ids (not just UUIDs) as long as they are short and printable."""
    return 0 < len(value) <= 128 and value.isascii() and value.isprintable()
