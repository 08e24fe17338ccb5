"""One journaled request: everything Moto needs to execute it again, identically.

The WSGI environ's string entries (method, path, query, headers), the body, the
seed the random generators were given, and the wall-clock time it ran at.
Encoded as a small JSON header followed by the raw body, so a journal can be
inspected without unpickling anything.
"""

import base64
import json
import struct
from dataclasses import dataclass, field
from typing import Any

_META_LEN = struct.Struct(">I")
RECORD_MARKER = b'{"env":{'
"""How every encoded record's metadata begins, right after its length."""

# Per-connection values that would only make replays differ for no reason.
# RAW_URI and REQUEST_URI are kept: they are the request line as sent, and Moto
# reads S3 keys from it (``PATH_INFO`` is already percent-decoded, so without
# them a key ``a%2Fb`` would become ``a/b`` and ``x%3Fy`` would become ``x``).
_SKIPPED_ENV = {"REMOTE_PORT"}
PRESERVED_NAMES = "moto.preserved_header_names"
"""Moto's map of S3 metadata headers to their names as sent (underscores kept): journaled
as JSON text, so that a key ``my_key`` is ``my_key`` live and after a replay, as in Moto."""


@dataclass(frozen=True)
class Record:
    environ: dict[str, str]
    body: bytes
    seed: int
    timestamp: float
    keys: list[bytes] = field(default_factory=list)
    """Private keys (DER) generated while the request ran, handed back on replay."""
    effects: list[dict[str, Any]] = field(default_factory=list)
    """Outcomes of what the request did outside Moto (Lambda runs, outbound HTTP),
    handed back on replay instead of doing it again (see ``effects``)."""
    failed: str | None = None
    """Why Moto failed half-way through it (an exception of Moto's own, answered 500):
    replay lets it fail again, after the same changes."""

    @classmethod
    def from_environ(
        cls, environ: dict[str, object], body: bytes, seed: int, timestamp: float
    ) -> "Record":
        kept = {
            key: value
            for key, value in environ.items()
            if isinstance(value, str)
            and (key == "wsgi.url_scheme" or not key.startswith(("wsgi.", "werkzeug.")))
            and key not in _SKIPPED_ENV
        }
        if environ.get(PRESERVED_NAMES):
            kept[PRESERVED_NAMES] = json.dumps(environ[PRESERVED_NAMES])
        return cls(kept, body, seed, timestamp)

    def encode(self) -> bytes:
        meta = json.dumps(
            {
                "env": self.environ,
                "seed": self.seed,
                "ts": self.timestamp,
                "keys": [base64.b64encode(key).decode() for key in self.keys],
                **({"effects": self.effects} if self.effects else {}),
                **({"failed": self.failed} if self.failed else {}),
            },
            separators=(",", ":"),
        ).encode()
        return _META_LEN.pack(len(meta)) + meta + self.body

    @classmethod
    def decode(cls, payload: bytes) -> "Record":
        (meta_len,) = _META_LEN.unpack_from(payload)
        meta = json.loads(payload[_META_LEN.size : _META_LEN.size + meta_len])
        body = payload[_META_LEN.size + meta_len :]
        keys = [base64.b64decode(key) for key in meta.get("keys", [])]
        effects = list(meta.get("effects", []))
        seed, timestamp, failed = int(meta["seed"]), float(meta["ts"]), meta.get("failed")
        return cls(meta["env"], body, seed, timestamp, keys, effects, failed)

    @classmethod
    def is_record(cls, payload: bytes) -> bool:
        """Whether ``payload`` decodes as a record (to recognise one found by a search)."""
        if payload[_META_LEN.size : _META_LEN.size + len(RECORD_MARKER)] != RECORD_MARKER:
            return False
        try:
            cls.decode(payload)
        except (ValueError, KeyError, TypeError, struct.error):
            return False
        return True

    @property
    def summary(self) -> str:
        env = self.environ
        target = env.get("HTTP_X_AMZ_TARGET", "")
        return f"{env.get('REQUEST_METHOD')} {env.get('PATH_INFO')} {target}".strip()
