"""``/api/<service>/<path>``: the single origin clients and demos talk to."""

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Request, Response

from services.common.app import REQUEST_ID_HEADER
from services.common.errors import NotFound
from services.common.problems import problem
from services.gateway.proxy import UpstreamFailure, forward, forwardable

router = APIRouter(prefix="/api", tags=["proxy"])
_SET_BY_GATEWAY = {REQUEST_ID_HEADER.lower(), "date", "server"}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@router.api_route("/{service}/{path:path}", methods=METHODS, include_in_schema=False)
async def proxy(service: str, path: str, request: Request) -> Response:
    upstreams: dict[str, str] = request.app.state.settings.upstreams
    if service not in upstreams:
        raise NotFound(f"no service named {service!r}; known: {', '.join(sorted(upstreams))}")
    max_bytes: int = request.app.state.settings.max_body_bytes
    if int(request.headers.get("content-length") or 0) > max_bytes:
        return problem(413, f"request body larger than {max_bytes} bytes")
    body = await request.body()
    if len(body) > max_bytes:
        return problem(413, f"request body larger than {max_bytes} bytes")

    headers = [
        (name, value)
        for name, value in forwardable(request.headers.items())
        if name.lower() != REQUEST_ID_HEADER.lower()
    ]
    headers += [
        (REQUEST_ID_HEADER, correlation_id.get() or ""),
        ("X-Forwarded-Prefix", f"/api/{service}"),
        ("X-Forwarded-Host", request.headers.get("host", "")),
        ("X-Forwarded-Proto", request.url.scheme),
    ]
    url = f"{upstreams[service]}/{path}"
    if request.url.query:
        url += f"?{request.url.query}"
    try:
        answer = await forward(request.app.state.http, service, request.method, url, headers, body)
    except UpstreamFailure as failure:
        return problem(failure.status, failure.detail, instance=request.url.path)
    # The gateway's server adds its own id (same value), date and server fields.
    kept = [(k, v) for k, v in answer.headers if k.lower() not in _SET_BY_GATEWAY]
    response = Response(content=answer.body, status_code=answer.status)
    for name, value in kept:
        response.headers.append(name, value)
    return response
