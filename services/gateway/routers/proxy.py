"""``/api/<route>/<path>``: the single origin clients and demos talk to.

Reads pass through; writes need a valid ``X-API-Key`` first.
"""

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from services.common.app import REQUEST_ID_HEADER
from services.common.errors import NotFound
from services.common.problems import problem
from services.gateway.api_keys import API_KEY_HEADER, WRITE_METHODS, ApiKeys
from services.gateway.proxy import UpstreamFailure, forward, forwardable
from services.gateway.settings import ROUTES

router = APIRouter(prefix="/api", tags=["proxy"])
_SET_BY_GATEWAY = {REQUEST_ID_HEADER.lower(), "date", "server"}
_NOT_TO_UPSTREAM = {REQUEST_ID_HEADER.lower(), API_KEY_HEADER.lower()}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@router.api_route("/{name}", methods=METHODS, include_in_schema=False)
@router.api_route("/{name}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(name: str, request: Request, path: str = "") -> Response:
    if name not in ROUTES:
        raise NotFound(f"no route /api/{name}; known: {', '.join(sorted(ROUTES))}")
    route = ROUTES[name]
    if request.method in WRITE_METHODS:
        api_keys: ApiKeys = request.app.state.api_keys
        await run_in_threadpool(api_keys.check, request.headers.get(API_KEY_HEADER))
    max_bytes: int = request.app.state.settings.max_body_bytes
    if int(request.headers.get("content-length") or 0) > max_bytes:
        return problem(413, f"request body larger than {max_bytes} bytes")
    body = await request.body()
    if len(body) > max_bytes:
        return problem(413, f"request body larger than {max_bytes} bytes")

    headers = [
        (header, value)
        for header, value in forwardable(request.headers.items())
        if header.lower() not in _NOT_TO_UPSTREAM
    ]
    headers += [
        (REQUEST_ID_HEADER, correlation_id.get() or ""),
        ("X-Forwarded-Prefix", f"/api/{name}"),
        ("X-Forwarded-Host", request.headers.get("host", "")),
        ("X-Forwarded-Proto", request.url.scheme),
    ]
    base: str = request.app.state.settings.upstreams[route.service]
    url = f"{base}{route.prefix}/{path}" if path else f"{base}{route.prefix}"
    if request.url.query:
        url += f"?{request.url.query}"
    try:
        answer = await forward(
            request.app.state.http, route.service, request.method, url, headers, body
        )
    except UpstreamFailure as failure:
        return problem(failure.status, failure.detail, instance=request.url.path)
    # The gateway's server adds its own id (same value), date and server fields.
    kept = [(k, v) for k, v in answer.headers if k.lower() not in _SET_BY_GATEWAY]
    response = Response(content=answer.body, status_code=answer.status)
    for header, value in kept:
        response.headers.append(header, value)
    return response
