"""One OpenAPI document for the whole stack, stitched from each upstream's own.

Each upstream path appears under the gateway route that reaches it
(``/products`` of catalog as ``/api/catalog/products``, ``/orders/{id}`` of
orders as ``/api/orders/{id}``), so "Try it out" in the gateway's docs goes
through the gateway like any client. Paths no route reaches are left out. An upstream that is
down is left out and named in the description rather than failing the page.
"""

import asyncio
from typing import Any

import httpx

from services.common.problems import document_problems
from services.gateway.settings import Route

GATEWAY_PROBLEMS = {
    "413": "The request body is larger than `MAX_BODY_BYTES`",
    "414": "The URL is longer than 64 KiB",
    "502": "The service answered garbage or hung up",
    "503": "The service is unavailable, or so is AWS behind it",
    "504": "The service did not answer in time",
}
"""What the gateway itself may answer on any route, on top of what each service documents."""

WRITE_PROBLEMS = {"401": "No `X-API-Key` header", "403": "The `X-API-Key` is not valid"}
WRITES = frozenset({"post", "put", "patch", "delete"})


async def fetch_spec(client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
    response = await client.get(f"{base_url}/openapi.json")
    response.raise_for_status()
    spec: dict[str, Any] = response.json()
    return spec


def gateway_path(routes: dict[str, Route], service: str, path: str) -> str | None:
    """Where ``path`` of ``service`` is reached through the gateway, if anywhere."""
    for name, route in routes.items():
        if route.service == service and (
            path == route.prefix or path.startswith(route.prefix + "/")
        ):
            return f"/api/{name}{path[len(route.prefix) :]}"
    return None


def merge_specs(
    gateway: dict[str, Any],
    upstreams: dict[str, dict[str, Any]],
    missing: list[str],
    routes: dict[str, Route],
) -> dict[str, Any]:
    merged = {**gateway, "paths": dict(gateway.get("paths", {}))}
    schemas: dict[str, Any] = dict(gateway.get("components", {}).get("schemas", {}))
    for service, spec in upstreams.items():
        for path, operations in spec.get("paths", {}).items():
            public = gateway_path(routes, service, path)
            if public is not None:
                merged["paths"][public] = operations
        schemas.update(spec.get("components", {}).get("schemas", {}))
    if schemas:
        merged["components"] = {**gateway.get("components", {}), "schemas": schemas}
    _document_gateway_problems(merged)
    if missing:
        info = dict(merged.get("info", {}))
        info["description"] = (
            f"{info.get('description', '')}\n\nNot reachable now, so not shown: "
            f"{', '.join(missing)}."
        ).strip()
        merged["info"] = info
    return merged


def _document_gateway_problems(merged: dict[str, Any]) -> None:
    """The gateway's own answers; 401/403 are about the public API key here, not about the
    internal token the services ask of callers on their own ports."""
    document_problems(merged, GATEWAY_PROBLEMS)
    document_problems(merged, WRITE_PROBLEMS, methods=WRITES, replace=True)


async def stack_spec(
    client: httpx.AsyncClient,
    gateway: dict[str, Any],
    upstreams: dict[str, str],
    routes: dict[str, Route],
) -> dict[str, Any]:
    names = list(upstreams)
    results = await asyncio.gather(
        *(fetch_spec(client, upstreams[name]) for name in names), return_exceptions=True
    )
    found = {name: r for name, r in zip(names, results, strict=True) if isinstance(r, dict)}
    missing = [name for name in names if name not in found]
    return merge_specs(gateway, found, missing, routes)
