"""Who may operate the server: never a web page, and for whole-state actions only the token holder.

A page the developer happens to visit can send a ``text/plain`` POST to
``localhost:4566`` (a "simple" request: no CORS preflight) and never needs to
read the answer to do harm: ``/_durable/import`` unpickles what it is sent,
``/_durable/reset`` and Moto's ``/moto-api/reset`` wipe everything. Browsers
mark every such request: an ``Origin`` header on every cross-origin request and
on every POST, and ``Sec-Fetch-Site`` (anything but ``none``, which is the user
typing the URL, means a page sent it). Plain clients (the CLI, boto3, curl,
test fixtures) send neither, so refusing both costs them nothing.

Behind that, everything under ``/_durable/`` except ``GET /_durable/status``
needs the admin token (``Authorization: Bearer``), which a page cannot learn:
it lives in a 0600 file in the data directory, or in the server's environment.
That also stops a page that rebinds its own host name to 127.0.0.1 (DNS
rebinding) and so reads its own "same-origin" GETs without an Origin header.
"""

import hmac
import re
from collections.abc import Callable, Iterable
from typing import Any

from durable_moto import wsgi
from durable_moto.admin import ADMIN_PREFIX
from durable_moto.app import RESET_PATH
from durable_moto.runfiles import TOKEN_FILE, TOKEN_VARIABLE

OPEN_ADMIN = {("GET", "/_durable/status")}
"""Admin requests a plain client may make without the token: sizes and counts, no state."""

_CLOSE = [("Connection", "close")]
"""A refused request's body is never looked at; the connection it came on is closed after it."""


def _path(environ: dict[str, Any]) -> str:
    """Slashes collapsed and a trailing one dropped, as routing would treat them."""
    return re.sub("/{2,}", "/", str(environ.get("PATH_INFO", ""))).rstrip("/") or "/"


def from_browser(environ: dict[str, Any]) -> bool:
    return "HTTP_ORIGIN" in environ or environ.get("HTTP_SEC_FETCH_SITE", "none") != "none"


class AdminGuard:
    """WSGI middleware in front of the durable app (or plain Moto)."""

    def __init__(self, app: wsgi.WsgiApp, token: str | None) -> None:
        self.app = app
        self.token = token

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        refusal = self.refusal(environ)
        if refusal is None:
            return self.app(environ, start_response)
        return wsgi.send(refusal, environ, start_response)

    def refusal(self, environ: dict[str, Any]) -> wsgi.Response | None:
        path = _path(environ)
        admin = path == ADMIN_PREFIX.rstrip("/") or path.startswith(ADMIN_PREFIX)
        if not admin and path != RESET_PATH:
            return None
        if from_browser(environ):
            return wsgi.problem(403, f"{path} does not answer requests sent by a web page", _CLOSE)
        if not admin or (environ.get("REQUEST_METHOD"), path) in OPEN_ADMIN:
            return None
        return self._token_refusal(environ, path)

    def _token_refusal(self, environ: dict[str, Any], path: str) -> wsgi.Response | None:
        if self.token is None:
            detail = f"{path} is disabled: this server has no admin token ({TOKEN_VARIABLE})"
            return wsgi.problem(403, detail, _CLOSE)
        scheme, _, given = str(environ.get("HTTP_AUTHORIZATION", "")).partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return wsgi.problem(
                401,
                f"{path} needs the admin token as 'Authorization: Bearer <token>'. "
                "durable-moto's CLI sends it when given the server's data directory "
                f"(--data-dir or MOTO_DATA_DIR, file {TOKEN_FILE}) or {TOKEN_VARIABLE}",
                [("WWW-Authenticate", 'Bearer realm="durable-moto"'), *_CLOSE],
            )
        if not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return wsgi.problem(403, f"{path}: wrong admin token", _CLOSE)
        return None
