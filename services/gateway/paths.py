"""Which upstream path a public request path may reach, decided on the path as sent.

The gateway routes on the percent-encoded path (``raw_path``), never on a
decoded copy: decoding first is how ``%2e%2e`` became ``..`` and climbed out
of a route, how ``%3F`` became a query string, and how ``%0a`` reached an URL
parser that refused it with a 500. So a path is refused (400) when a segment
decodes to ``.`` or ``..``, contains an encoded ``/`` or ``\\``, or decodes to
control characters; otherwise its remainder is forwarded exactly as sent. A raw
``#`` is refused too: a fragment has no place in a request target, and parsers
disagree on it (one cuts it off with the query after it, another keeps it in
the path), so the upstream would answer for another URL than the one sent.
"""

from urllib.parse import quote, unquote

from services.common.errors import DomainError

MAX_URL_BYTES = 64 * 1024
"""Longer request targets are refused with 414 (RFC 9110 asks for at least 8 KiB)."""


class BadPath(DomainError):
    status = 400


class UrlTooLong(DomainError):
    status = 414


def raw_path(scope_raw: bytes | None, decoded: str) -> str:
    """The path as the client sent it (servers without ``raw_path`` get it re-encoded)."""
    return scope_raw.decode("latin-1") if scope_raw else quote(decoded)


def check_target(path: str, query: bytes) -> None:
    """Refuse request targets the upstreams must never see."""
    if len(path) + len(query) > MAX_URL_BYTES:
        raise UrlTooLong(f"the URL is longer than {MAX_URL_BYTES} bytes")
    if "#" in path or b"#" in query:
        raise BadPath("a request target holds no fragment: encode '#' as %23")
    for segment in path.split("/"):
        try:
            decoded = unquote(segment, errors="strict")
        except UnicodeDecodeError:
            raise BadPath(f"path segment {segment!r} is not UTF-8") from None
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
            raise BadPath("the path holds control characters")
        if decoded in {".", ".."} or "/" in decoded or "\\" in decoded:
            raise BadPath(f"path segment {segment!r} is not allowed (no dot segments or slashes)")


def split_route(path: str, mount: str = "/api/") -> tuple[str, str]:
    """``/api/<name>/<rest>`` → (``<name>`` decoded, ``/<rest>`` still encoded, or "")."""
    name, slash, rest = path.removeprefix(mount).partition("/")
    return unquote(name), slash + rest
