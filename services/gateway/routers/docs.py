"""An index of services and one Swagger UI for all of them (the shop is at ``/``)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.common.docs import swagger_page
from services.gateway.openapi import stack_spec
from services.gateway.settings import ROUTES

router = APIRouter(tags=["docs"])


@router.get("/api", summary="Index of the services behind this gateway")
async def index(request: Request) -> dict[str, Any]:
    return {
        "routes": {
            f"/api/{name}": {"service": route.service, "upstream_path": route.prefix or "/"}
            for name, route in ROUTES.items()
        },
        "docs": "/docs",
        "openapi": "/openapi.json",
    }


@router.get("/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> dict[str, Any]:
    return await stack_spec(
        request.app.state.http,
        request.app.openapi(),
        request.app.state.settings.upstreams,
        ROUTES,
    )


@router.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return swagger_page("/openapi.json", "motostack API")
