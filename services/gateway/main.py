"""The gateway: one origin for every service, with request ids and bounded waits.

Run with ``uvicorn services.gateway.main:app``.
"""

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from services.common.app import create_app
from services.common.aws import aws_client
from services.common.health import ReadinessCheck
from services.common.internal import InternalToken, internal_token_secret
from services.gateway.api_keys import ApiKeys
from services.gateway.connections import KEEPALIVE_EXPIRY_SECONDS, UpstreamPool
from services.gateway.routers import docs, proxy
from services.gateway.settings import READINESS_NEEDS, GatewaySettings


def _upstream_alive(client: httpx.AsyncClient, base_url: str) -> ReadinessCheck:
    async def check() -> None:
        (await client.get(f"{base_url}/healthz")).raise_for_status()

    return check


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: GatewaySettings = app.state.settings
    timeout = httpx.Timeout(
        settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds
    )
    app.state.internal_token = InternalToken(
        aws_client("secretsmanager", settings), internal_token_secret(settings).name
    )
    app.state.api_keys = ApiKeys(
        aws_client("secretsmanager", settings),
        settings.api_keys_secret,
        settings.api_keys_cache_seconds,
    )
    limits = httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS)
    upstreams = UpstreamPool(
        settings.upstream_timeout_seconds, settings.upstream_connect_timeout_seconds
    )
    async with (
        httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False) as client,
        upstreams,
    ):
        app.state.http = client  # probes, docs and the demo's pages
        app.state.upstreams = upstreams  # the proxy

        app.state.readiness_checks.update(
            {name: _upstream_alive(client, settings.upstreams[name]) for name in READINESS_NEEDS}
        )
        yield


DEMO = "services.gateway.demo"


def install_front_page(app: FastAPI) -> None:
    """The example shop's pages when the example is there; without it (``make
    remove-example`` takes them with the shop they show), ``/`` leads to the API docs."""
    if importlib.util.find_spec(DEMO) is not None:
        importlib.import_module(DEMO).install(app)
        return

    @app.get("/", include_in_schema=False)
    async def front_page() -> RedirectResponse:
        return RedirectResponse("/docs")


app = create_app(
    service="gateway",
    settings=GatewaySettings(),
    routers=[docs.router, proxy.router],
    aws_services=("secretsmanager",),
    lifespan=lifespan,
    serves_own_docs=False,
    internal_writes=False,  # it checks the public API keys, and adds the internal token
    description="Single origin of the motostack shop: `/api/<service>/...`.",
)
install_front_page(app)
