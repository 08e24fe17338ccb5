"""Calling Moto's WSGI app and capturing the whole response, live or from a record."""

import io
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from durable_moto.records import PRESERVED_NAMES, Record

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class Response:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def code(self) -> int:
        return int(self.status.split(" ", 1)[0])


def call(app: WsgiApp, environ: dict[str, Any]) -> Response:
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close:
            close()
    return Response(captured["status"], list(captured["headers"]), b"".join(chunks))


def send(
    response: Response, environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    """Answer a WSGI request with a whole response, its length stated where it may be.

    Without ``Content-Length`` cheroot sends a body chunked: more bytes and
    more work per response for a body whose length is known. A length the
    response already states is kept (a HEAD of an S3 object states the
    object's), and none is made up where there is no body to measure: a HEAD
    answer, 1xx, 204 and 304.
    """
    headers = response.headers
    stated = any(name.lower() == "content-length" for name, _ in headers)
    bodiless = response.code < 200 or response.code in {204, 304}
    if not (stated or bodiless or environ.get("REQUEST_METHOD") == "HEAD"):
        headers = [*headers, ("Content-Length", str(len(response.body)))]
    start_response(response.status, headers)
    return [response.body]


def environ_for(record: Record) -> dict[str, Any]:
    """A WSGI environ that makes Moto see the recorded request again."""
    environ: dict[str, Any] = dict(record.environ)
    environ.update(
        {
            "wsgi.input": io.BytesIO(record.body),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(record.body)),
        }
    )
    environ.setdefault("wsgi.url_scheme", "http")
    if PRESERVED_NAMES in environ:
        environ[PRESERVED_NAMES] = json.loads(environ[PRESERVED_NAMES])
    return environ


def respond(status: int, body: bytes, content_type: str) -> Response:
    return Response(f"{status} {HTTPStatus(status).phrase}", [("Content-Type", content_type)], body)


def plain(status: int, message: str) -> Response:
    return respond(status, message.encode(), "text/plain; charset=utf-8")


def problem(status: int, detail: str, headers: list[tuple[str, str]] | None = None) -> Response:
    """An RFC 9457 problem document: how the server's own refusals answer."""
    phrase = HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": phrase, "status": status, "detail": detail}
    response = respond(status, json.dumps(body).encode(), "application/problem+json")
    response.headers.extend(headers or [])
    return response
