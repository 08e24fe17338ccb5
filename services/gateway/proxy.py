"""Forwarding one request to an upstream, and naming what went wrong when it fails.

An upstream that refuses connections is *unavailable* (503), one that does not
answer in time is a *timeout* (504), and one that answers garbage or hangs up
mid-response is a *bad gateway* (502). Clients always get problem+json, never a
hang: every wait is bounded by the client's timeouts.

A pooled keep-alive connection can be closed by the upstream just as it is
reused (the upstream's idle timeout, or a connection it dropped after an
error). So an idempotent request that fails that way is sent once more, on a
fresh connection: no request fails because an earlier one did.
"""

from dataclasses import dataclass

import httpx

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
KEEPALIVE_EXPIRY_SECONDS = 2.0
"""Below uvicorn's 5 s keep-alive timeout, so the gateway gives up idle connections first."""

# RFC 9110 hop-by-hop fields, plus those httpx recomputes for the re-encoded body.
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
        "content-encoding",
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


def forwardable(headers: httpx.Headers | list[tuple[str, str]]) -> list[tuple[str, str]]:
    items = headers.multi_items() if isinstance(headers, httpx.Headers) else headers
    return [(name, value) for name, value in items if name.lower() not in _NOT_FORWARDED]


async def forward(
    client: httpx.AsyncClient,
    service: str,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> Forwarded:
    try:
        try:
            response = await client.request(method, url, headers=headers, content=body)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            if method not in IDEMPOTENT:
                raise
            response = await client.request(method, url, headers=headers, content=body)
    except httpx.ConnectTimeout:
        raise UpstreamFailure(503, f"{service} is unavailable: connection timed out") from None
    except httpx.ConnectError:
        raise UpstreamFailure(503, f"{service} is unavailable: connection refused") from None
    except httpx.TimeoutException:
        raise UpstreamFailure(504, f"{service} did not answer in time") from None
    except httpx.TransportError as error:
        raise UpstreamFailure(
            502, f"{service} failed mid-request: {type(error).__name__}"
        ) from None
    return Forwarded(response.status_code, forwardable(response.headers), response.content)
