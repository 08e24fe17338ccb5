"""Liveness and readiness, the two probes compose healthchecks and orchestrators use.

``/healthz`` says the process serves HTTP. ``/readyz`` also runs the service's
readiness checks (its AWS resources, its upstreams) and answers 503 naming the
failing ones, so a dependency outage is visible without reading logs.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.common.errors import Unavailable
from services.common.problems import problem

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises when the thing it checks is not usable; its message is reported."""

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The service and what it depends on are usable")
async def readyz(request: Request) -> Any:
    checks: Mapping[str, ReadinessCheck] = request.app.state.readiness_checks
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await check()
            results[name] = "ok"
        except Exception as exc:  # a failed check is reported, not raised
            results[name] = f"{type(exc).__name__}: {exc}"
    failing = sorted(name for name, result in results.items() if result != "ok")
    if failing:
        return problem(
            503,
            f"not ready: {', '.join(failing)}",
            headers=Unavailable.headers,
            extra={"checks": results},
        )
    return JSONResponse({"status": "ready", "checks": results})
