"""Forwarding one request to an upstream, and naming what went wrong when it fails.

An upstream that refuses connections is *unavailable* (503), one that does not
answer in time is a *timeout* (504), and one that answers garbage or hangs up
mid-response is a *bad gateway* (502). Clients always get problem+json, never a
hang: every wait is bounded by the pool's timeouts.

A pooled keep-alive connection can be closed by the upstream just as it is
reused (the upstream's idle timeout, or a connection it dropped after an
error). So an idempotent request that fails that way is sent once more, on a
fresh connection: no request fails because an earlier one did.

The proxy speaks plain HTTP/1.1 over httpcore's connection pool rather than
through an httpx client: a client's conveniences cost CPU on every request and
one of them is wrong here. Its cookie jar, shared by every caller, would keep a
cookie one caller's response set and send it upstream with everybody's later
requests. Bodies pass through as they are, encoded or not.

Each upstream has a pool of its own: a pool bounds its connections in total, so
with one pool for all, an upstream holding every request it gets would leave
no connection for the others. And ``upstream_timeout_seconds`` bounds the whole
exchange, not each read: an upstream sending one byte at a time, each in time,
would otherwise keep its caller for as long as it likes.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

import httpcore

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
KEEPALIVE_EXPIRY_SECONDS = 2.0
"""Below uvicorn's 5 s keep-alive timeout, so the gateway gives up idle connections first."""
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


def exact_url(url: str) -> httpcore.URL:
    """``url`` with its request target kept as written. httpcore parses a URL string with
    ``urlparse``, which cuts ``;parameters`` off the last path segment: the upstream would
    be asked for another path than the one the client sent."""
    origin = urlsplit(url)
    target = url[len(f"{origin.scheme}://{origin.netloc}") :]
    return httpcore.URL(
        scheme=origin.scheme,
        host=origin.hostname or "",
        port=origin.port,
        target=(target if target.startswith("/") else "/" + target).encode("latin-1"),
    )


class UpstreamPool:
    """Keep-alive connections to each upstream, with the gateway's timeouts."""

    def __init__(self, timeout_seconds: float, connect_timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds
        self._pools: dict[tuple[bytes, bytes, int | None], httpcore.AsyncConnectionPool] = {}
        self._timeouts = {
            "connect": connect_timeout_seconds,
            "read": timeout_seconds,
            "write": timeout_seconds,
            "pool": timeout_seconds,
        }

    async def __aenter__(self) -> "UpstreamPool":
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for pool in self._pools.values():
            await pool.aclose()

    def _pool(self, url: httpcore.URL) -> httpcore.AsyncConnectionPool:
        origin = (url.scheme, url.host, url.port)
        if origin not in self._pools:
            self._pools[origin] = httpcore.AsyncConnectionPool(
                max_connections=100,
                max_keepalive_connections=20,
                keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
            )
        return self._pools[origin]

    async def send(
        self, method: str, url: httpcore.URL, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> httpcore.Response:
        """One exchange, its body read whole."""
        return await self._pool(url).request(
            method,
            url,
            headers=headers,
            content=body if body or method in _CARRY_A_BODY else None,
            extensions={"timeout": self._timeouts},
        )


async def forward(
    pool: UpstreamPool,
    service: str,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> Forwarded:
    target = exact_url(url)
    # Header bytes pass as the server decoded them (latin-1): nothing a client sent is
    # re-encoded on the way.
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    try:
        async with asyncio.timeout(pool.timeout_seconds):
            try:
                response = await pool.send(method, target, raw, body)
            except (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError):
                if method not in IDEMPOTENT:
                    raise
                response = await pool.send(method, target, raw, body)
    except httpcore.ConnectTimeout:
        raise UpstreamFailure(503, f"{service} is unavailable: connection timed out") from None
    except httpcore.ConnectError:
        raise UpstreamFailure(503, f"{service} is unavailable: connection refused") from None
    except (httpcore.TimeoutException, TimeoutError):
        raise UpstreamFailure(504, f"{service} did not answer in time") from None
    except (httpcore.ProtocolError, httpcore.NetworkError, httpcore.UnsupportedProtocol) as error:
        raise UpstreamFailure(
            502, f"{service} failed mid-request: {type(error).__name__}"
        ) from None
    received = [
        (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers
    ]
    forwarded = forwardable(received)
    if method == "HEAD":  # no body to count again: the length is the one a GET would get
        forwarded += [(name, value) for name, value in received if name.lower() == "content-length"]
    return Forwarded(response.status, forwarded, response.content)
