"""Forwarding one request to an upstream, and naming what went wrong when it fails.

An upstream that refuses connections is *unavailable* (503), one that does not
answer in time is a *timeout* (504), and one that answers garbage or hangs up
mid-response is a *bad gateway* (502). Clients always get problem+json, never a
hang: every wait is bounded by the pool's timeouts.

A pooled keep-alive connection can be closed by the upstream just as it is
reused (the upstream's idle timeout, or a connection it dropped after an
error). So an idempotent request that fails that way (on a reused connection,
before a byte of an answer) is sent once more, on a new connection: no request
fails because an earlier one did. Any other failure is the upstream's answer to
this very request, and is not asked for twice.

The proxy speaks plain HTTP/1.1 on connections of its own (``connections.py``)
rather than through an httpx client: a client's conveniences cost CPU on every
request and one of them is wrong here. Its cookie jar, shared by every caller,
would keep a cookie one caller's response set and send it upstream with
everybody's later requests. Bodies pass through as they are, encoded or not.

``upstream_timeout_seconds`` bounds the whole exchange, waiting for a
connection included, not each read: an upstream sending one byte at a time,
each in time, would otherwise keep its caller for as long as it likes.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.gateway.connections import (
    DEFAULT_PORTS,
    ConnectFailed,
    ExchangeFailed,
    Origin,
    Unsendable,
    UpstreamPool,
)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_CARRY_A_BODY = frozenset({"POST", "PUT", "PATCH"})
"""Sent with a ``Content-Length`` even when empty; other methods only with a body."""

# RFC 9110 hop-by-hop fields, plus the framing each side recomputes for its own message.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


@dataclass(frozen=True)
class UpstreamFailure(Exception):
    status: int
    detail: str


@dataclass(frozen=True)
class Forwarded:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def forwardable(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers if name.lower() not in _NOT_FORWARDED]


def exact_url(url: str) -> tuple[Origin, bytes]:
    """``url``'s origin, and its request target kept as written (a parser such as
    ``urlparse`` cuts ``;parameters`` off the last path segment: the upstream would be
    asked for another path than the one the client sent)."""
    origin = urlsplit(url)
    target = url[len(f"{origin.scheme}://{origin.netloc}") :]
    if origin.scheme not in DEFAULT_PORTS or not origin.hostname:
        raise ValueError(f"not an http:// or https:// upstream URL: {url!r}")
    return (
        Origin(origin.scheme, origin.hostname, origin.port or DEFAULT_PORTS[origin.scheme]),
        (target if target.startswith("/") else "/" + target).encode("latin-1"),
    )


async def forward(
    pool: UpstreamPool,
    service: str,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> Forwarded:
    try:
        origin, target = exact_url(url)
    except ValueError as error:
        raise UpstreamFailure(502, f"{service} cannot be reached: {error}") from None
    # Header bytes pass as the server decoded them (latin-1): nothing a client sent is
    # re-encoded on the way.
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    sent = body if body or method in _CARRY_A_BODY else None
    try:
        async with asyncio.timeout(pool.timeout_seconds):
            try:
                response = await pool.send(origin, method, target, raw, sent)
            except ExchangeFailed as failure:
                if not failure.stale or method not in IDEMPOTENT:
                    raise
                response = await pool.send(origin, method, target, raw, sent, fresh=True)
    except ConnectFailed as failure:
        raise UpstreamFailure(503, f"{service} is unavailable: {failure}") from None
    except TimeoutError:
        raise UpstreamFailure(504, f"{service} did not answer in time") from None
    except ExchangeFailed as failure:
        raise UpstreamFailure(502, f"{service} failed mid-request: {failure}") from None
    except Unsendable as failure:
        raise UpstreamFailure(502, f"{service} cannot be sent this request: {failure}") from None
    received = [
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers
    ]
    forwarded = forwardable(received)
    if method == "HEAD":  # no body to count again: the length is the one a GET would get
        forwarded += [(name, value) for name, value in received if name.lower() == "content-length"]
    return Forwarded(response.status, forwarded, response.body)
