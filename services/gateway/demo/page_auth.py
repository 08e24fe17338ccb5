"""How the demo page writes on a local stack without holding a key.

The page never sees the demo API key. The gateway adds it, server-side, to a
write that comes from its own page, which a browser proves with two headers a
web page cannot forge: ``Sec-Fetch-Site: same-origin`` and an ``Origin`` equal
to the gateway's own. A foreign page (CSRF) sends ``cross-site`` and its own
origin, so its writes arrive without a key and are refused. The host must be a
loopback name too, so a DNS-rebinding page (whose origin *becomes* the
gateway's) is refused as well. Clients that are not browsers can set any
header, but they can just as well use the documented local key: nothing is
given away that a local user does not already have.

Only installed when ``STACK_TARGET=local`` (see ``DemoSettings.page_key``). A
real deployment authenticates its users instead (README: "the demo").
"""

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.internal import WRITE_METHODS
from services.gateway.api_keys import API_KEY_HEADER

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def from_own_page(method: str, path: str, scheme: str, headers: Headers) -> bool:
    """A browser write to the API from a page this gateway served, reached on loopback."""
    if method not in WRITE_METHODS or not path.startswith("/api/"):
        return False
    if API_KEY_HEADER in headers or headers.get("sec-fetch-site") != "same-origin":
        return False
    host = headers.get("host", "")
    if headers.get("origin") != f"{scheme}://{host}":
        return False
    return urlsplit(f"//{host}").hostname in LOOPBACK_HOSTS


class PageKeyMiddleware:
    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self._header = (API_KEY_HEADER.lower().encode(), key.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and from_own_page(
            scope["method"], scope["path"], scope["scheme"], Headers(scope=scope)
        ):
            scope = dict(scope, headers=[*scope["headers"], self._header])
        await self.app(scope, receive, send)
