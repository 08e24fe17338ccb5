"""HTTP's method semantics that FastAPI leaves out: HEAD, OPTIONS and an honest 405.

FastAPI serves only the methods a route declares, and Starlette's 405 names the
methods of the first route whose path matched, not of all of them. Here, for a
path some route serves but not with the request's method:

* ``HEAD`` is answered as ``GET`` without the body (RFC 9110 §9.3.2);
* ``OPTIONS`` is a 204 whose ``Allow`` lists every method of the path;
* anything else is a 405 problem with that same ``Allow``.

A route that declares the method itself (the gateway's proxy) keeps it.
"""

from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.problems import problem

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _served(scope: Scope, method: str) -> bool:
    """Whether a route takes ``method`` on this path (asked of the router's own matching, so
    included routers and path parameters are judged exactly as a request would be)."""
    # Its own copy of the router's per-request state, so probing leaves no trace in scope.
    probe = {key: value for key, value in scope.items() if key != "fastapi"} | {"method": method}
    return any(route.matches(probe)[0] is Match.FULL for route in scope["app"].router.routes)


def allowed_methods(scope: Scope) -> set[str] | None:
    """Every method the path is served with, or None when a route takes this very request
    (or no route has the path: then the router's 404 stands)."""
    if _served(scope, scope["method"]):
        return None
    allowed = {method for method in _METHODS if _served(scope, method)}
    if not allowed:
        return None
    if "GET" in allowed:
        allowed.add("HEAD")
    return allowed | {"OPTIONS"}


class HttpMethods:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = allowed_methods(scope) if scope["type"] == "http" else None
        if allowed is None:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "HEAD" and "GET" in allowed:

            async def without_body(message: Message) -> None:
                if message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)

            await self.app({**scope, "method": "GET"}, receive, without_body)
            return
        allow = {"Allow": ", ".join(sorted(allowed))}
        if method == "OPTIONS":
            await Response(status_code=204, headers=allow)(scope, receive, send)
            return
        refusal = problem(
            405, f"{method} is not allowed here; allowed: {allow['Allow']}",
            instance=scope["path"], headers=allow,
        )  # fmt: skip
        await refusal(scope, receive, send)
