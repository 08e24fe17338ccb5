"""Who may write: API keys kept in Secrets Manager, cached for a short time.

The secret holds ``{"keys": ["...", ...]}``. Adding or revoking a key is an
edit of the secret; the gateway sees it within the cache period, without a
restart. Keys are compared by SHA-256 digest in constant time.
"""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from services.common.errors import DomainError, Unavailable

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

API_KEY_HEADER = "X-API-Key"


class MissingApiKey(DomainError):
    status = 401


class WrongApiKey(DomainError):
    status = 403


class KeysUnavailable(Unavailable):
    pass


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def parse_keys(secret_string: str) -> list[str]:
    keys = json.loads(secret_string).get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ValueError('the secret must hold {"keys": ["...", ...]}')
    return keys


def _compare(presented: str | None, digests: list[bytes]) -> None:
    if not presented:
        raise MissingApiKey(f"writes need an {API_KEY_HEADER} header")
    wanted = _digest(presented)
    # No short cut: every digest is compared, so timing says nothing about the keys.
    if not sum(hmac.compare_digest(wanted, digest) for digest in digests):
        raise WrongApiKey(f"the {API_KEY_HEADER} is not a valid key")


class ApiKeys:
    def __init__(
        self,
        secretsmanager: "SecretsManagerClient",
        secret: str,
        cache_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sm = secretsmanager
        self._secret = secret
        self._ttl = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._digests: list[bytes] = []
        self._fetched_at: float | None = None

    def check(self, presented: str | None) -> None:
        """Pass, or raise the problem a client gets: 401 no key, 403 wrong key."""
        _compare(presented, self._current())

    def check_cached(self, presented: str | None) -> bool:
        """``check`` against the cached keys while they are fresh (no call, no lock, so the
        gateway need not leave its event loop); False when they must be read first."""
        fetched_at, digests = self._fetched_at, self._digests
        if fetched_at is None or self._clock() - fetched_at >= self._ttl:
            return False
        _compare(presented, digests)
        return True

    def _current(self) -> list[bytes]:
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now - self._fetched_at >= self._ttl:
                try:
                    value = self._sm.get_secret_value(SecretId=self._secret)["SecretString"]
                    self._digests = [_digest(key) for key in parse_keys(value)]
                except Exception as error:
                    if self._fetched_at is None:
                        raise KeysUnavailable(
                            f"API keys cannot be read right now ({type(error).__name__})"
                        ) from error
                    # Keep the last good keys for another period rather than refuse all writes.
                self._fetched_at = now
            return self._digests
