"""One OpenAPI document for the whole stack, stitched from each upstream's own.

Paths get the gateway's ``/api/<service>`` prefix, so "Try it out" in the
gateway's docs goes through the gateway like any client. An upstream that is
down is left out and named in the description rather than failing the page.
"""

import asyncio
from typing import Any

import httpx


async def fetch_spec(client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
    response = await client.get(f"{base_url}/openapi.json")
    response.raise_for_status()
    spec: dict[str, Any] = response.json()
    return spec


def merge_specs(
    gateway: dict[str, Any], upstreams: dict[str, dict[str, Any]], missing: list[str]
) -> dict[str, Any]:
    merged = {**gateway, "paths": dict(gateway.get("paths", {}))}
    schemas: dict[str, Any] = dict(gateway.get("components", {}).get("schemas", {}))
    for service, spec in upstreams.items():
        for path, operations in spec.get("paths", {}).items():
            merged["paths"][f"/api/{service}{path}"] = operations
        schemas.update(spec.get("components", {}).get("schemas", {}))
    if schemas:
        merged["components"] = {**gateway.get("components", {}), "schemas": schemas}
    if missing:
        info = dict(merged.get("info", {}))
        info["description"] = (
            f"{info.get('description', '')}\n\nNot reachable now, so not shown: "
            f"{', '.join(missing)}."
        ).strip()
        merged["info"] = info
    return merged


async def stack_spec(
    client: httpx.AsyncClient, gateway: dict[str, Any], upstreams: dict[str, str]
) -> dict[str, Any]:
    names = list(upstreams)
    results = await asyncio.gather(
        *(fetch_spec(client, upstreams[name]) for name in names), return_exceptions=True
    )
    found = {name: r for name, r in zip(names, results, strict=True) if isinstance(r, dict)}
    missing = [name for name in names if name not in found]
    return merge_specs(gateway, found, missing)
