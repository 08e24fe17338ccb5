"""``/api/<route>/<path>``: the single origin clients and demos talk to.

Reads pass through; writes need a valid ``X-API-Key`` first. The upstream gets
exactly the route's remainder of the path as the client sent it (see
``paths.py``), a body no larger than ``MAX_BODY_BYTES`` (counted while it
streams in, so an oversized body is refused before it is read, whatever the
method), and ``Location`` headers come back as public paths.
"""

from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.convertors import PathConvertor, register_url_convertor

from services.common.app import REQUEST_ID_HEADER
from services.common.errors import DomainError, NotFound
from services.common.internal import INTERNAL_TOKEN_HEADER, WRITE_METHODS, InternalToken
from services.common.problems import problem
from services.gateway.api_keys import API_KEY_HEADER, ApiKeys
from services.gateway.openapi import gateway_path
from services.gateway.paths import check_target, raw_path, split_route
from services.gateway.proxy import UpstreamFailure, forward, forwardable
from services.gateway.settings import ROUTES

router = APIRouter(prefix="/api", tags=["proxy"])
_SET_BY_GATEWAY = {REQUEST_ID_HEADER.lower(), "date", "server"}
_NOT_TO_UPSTREAM = {h.lower() for h in (REQUEST_ID_HEADER, API_KEY_HEADER, INTERNAL_TOKEN_HEADER)}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class AnyRest(PathConvertor):
    """The rest of a path, line breaks included: Starlette's ``path`` (``.*``) stops at a
    ``%0A`` inside the path, so the route did not match and the request became a 404 the
    document does not give (PUT ``/api/inventory/a%0Ab``) instead of the check's 400."""

    regex = "(?s:.*)"


register_url_convertor("any_rest", AnyRest())


def _is_forwarded(header: str) -> bool:
    """``Forwarded`` and ``X-Forwarded-*`` from a client: the gateway sets its own, and an
    upstream must not take the client's word for its host, prefix, scheme or address."""
    return header.lower() == "forwarded" or header.lower().startswith("x-forwarded-")


class BodyTooLarge(DomainError):
    status = 413


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The body, refused as soon as it is known to exceed ``max_bytes``: by its declared
    length, or while its chunks arrive; never more than ``max_bytes`` plus a chunk in memory."""
    refusal = BodyTooLarge(f"request body larger than {max_bytes} bytes")
    if int(request.headers.get("content-length") or 0) > max_bytes:
        raise refusal
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise refusal
        chunks.append(chunk)
    return b"".join(chunks)


def public_location(location: str, base: str, service: str) -> str | None:
    """An upstream's ``Location`` as the client must see it: internal addresses and service
    paths become gateway paths; a path no route reaches is dropped (None); URLs elsewhere
    (presigned S3 URLs) stay."""
    if location.startswith(base + "/") or location == base:
        location = location[len(base) :] or "/"
    elif not location.startswith("/") or location.startswith("//"):
        return location
    path, question, query = location.partition("?")
    public = gateway_path(ROUTES, service, path)
    return None if public is None else public + question + query


async def proxy(request: Request) -> Response:
    sent_path = raw_path(request.scope.get("raw_path"), request.url.path)
    check_target(sent_path, request.scope.get("query_string", b""))
    name, rest = split_route(sent_path)
    if name not in ROUTES:
        raise NotFound(f"no route /api/{name}; known: {', '.join(sorted(ROUTES))}")
    route = ROUTES[name]
    writes = request.method in WRITE_METHODS
    if writes:
        api_keys: ApiKeys = request.app.state.api_keys
        presented = request.headers.get(API_KEY_HEADER)
        if not api_keys.check_cached(presented):
            await run_in_threadpool(api_keys.check, presented)
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    internal_token: InternalToken = request.app.state.internal_token

    headers = [
        (header, value)
        for header, value in forwardable(request.headers.items())
        if header.lower() not in _NOT_TO_UPSTREAM and not _is_forwarded(header)
    ]
    headers += [
        (REQUEST_ID_HEADER, correlation_id.get() or ""),
        ("X-Forwarded-Prefix", f"/api/{name}"),
        ("X-Forwarded-Host", request.headers.get("host", "")),
        ("X-Forwarded-Proto", request.scope["scheme"]),
    ]
    if writes:  # checked above: the services may trust it
        token = internal_token.cached()
        if token is None:
            token = await run_in_threadpool(internal_token.value)
        headers.append((INTERNAL_TOKEN_HEADER, token))
    base: str = request.app.state.settings.upstreams[route.service]
    url = f"{base}{route.prefix}{rest}"
    query: bytes = request.scope.get("query_string", b"")
    if query:
        url += f"?{query.decode('latin-1')}"
    try:
        answer = await forward(
            request.app.state.upstreams, route.service, request.method, url, headers, body
        )
    except UpstreamFailure as failure:
        return problem(failure.status, failure.detail, instance=request.url.path)
    response = Response(content=answer.body, status_code=answer.status)
    if request.method == "HEAD":  # the upstream's length, if it gave one, not the empty body's
        del response.headers["content-length"]
    # The gateway's server adds its own id (same value), date and server fields.
    for header, value in answer.headers:
        if header.lower() in _SET_BY_GATEWAY:
            continue
        public = (
            public_location(value, base, route.service) if header.lower() == "location" else value
        )
        if public is not None:
            response.headers.append(header, public)
    return response


# Plain Starlette routes: the proxy takes the request as it is, so FastAPI's parameter
# solving and response wrapping per request would only cost CPU on every call.
# (add_route, unlike the api_route decorator, does not put the router's prefix first itself:
# without it, the proxy would take every path, the demo's pages included.)
for _path in ("/{name}", "/{name}/{path:any_rest}"):
    router.add_route(router.prefix + _path, proxy, methods=METHODS, include_in_schema=False)
