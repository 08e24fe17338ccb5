"""The stack's internal credential: what a service's own port asks of a write.

The gateway checks the public API keys; behind it, services trust a request to
change something only when it carries ``X-Internal-Token``, a random token per
stack that the seeder stores in Secrets Manager (like the API keys). The
gateway adds it when it forwards, the fulfillment worker when it reports an
order fulfilled. Anyone else on the network, a forged receipt or a stray
redrive, gets 401 (no token) or 403 (wrong token). Reads stay open, as they
are through the gateway.
"""

import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.errors import DomainError, Unavailable
from services.common.problems import problem
from services.common.resources import Secret
from services.common.settings import StackSettings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

INTERNAL_TOKEN_HEADER = "X-Internal-Token"  # noqa: S105 (a header's name, not a secret)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CACHE_SECONDS = 30.0
"""A rotated token is picked up within this; the old one works until then."""


def internal_token_secret(settings: StackSettings) -> Secret:
    """Declared by every service that uses it (so each one's IAM policy may read it); the
    seeder creates it once and fills in a random token."""
    return Secret(
        name=settings.resource_name("stack", "internal-token"),
        description='Token services accept for writes from inside the stack: {"token": "..."}',
        initial_value='{"token": ""}',
    )


def parse_token(secret_string: str) -> str:
    token = json.loads(secret_string).get("token")
    if not isinstance(token, str):
        raise ValueError('the secret must hold {"token": "..."}')
    return token


class InternalToken:
    """The current token, read from its secret and cached for ``CACHE_SECONDS``."""

    def __init__(
        self,
        secretsmanager: "SecretsManagerClient",
        secret: str,
        *,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sm = secretsmanager
        self._secret = secret
        self._ttl = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ""
        self._fetched_at: float | None = None

    def value(self) -> str:
        """The token; Unavailable (503) while it cannot be read or was never provisioned."""
        with self._lock:
            now = self._clock()
            if self._fetched_at is None or now - self._fetched_at >= self._ttl:
                try:
                    secret = self._sm.get_secret_value(SecretId=self._secret)["SecretString"]
                    self._token, self._fetched_at = parse_token(secret), now
                except Exception as error:
                    if self._fetched_at is None:
                        raise Unavailable(
                            f"the internal token cannot be read ({type(error).__name__})"
                        ) from error
            if not self._token:
                raise Unavailable("no internal token is provisioned yet: run the seeder")
            return self._token

    def cached(self) -> str | None:
        """The token while the cached one is fresh (no call, no lock: an event loop may ask);
        None when ``value`` must read it."""
        fetched_at, token = self._fetched_at, self._token
        if fetched_at is None or not token or self._clock() - fetched_at >= self._ttl:
            return None
        return token

    def check(self, presented: str | None) -> None:
        if not presented:
            raise NoToken(f"writes on a service's own port need an {INTERNAL_TOKEN_HEADER}")
        if not hmac.compare_digest(presented.encode(), self.value().encode()):
            raise WrongToken(f"the {INTERNAL_TOKEN_HEADER} is not this stack's")


class NoToken(DomainError):
    status = 401


class WrongToken(DomainError):
    status = 403


class RequireInternalToken:
    """Refuses writes without the stack's token; ``app.state.internal_token`` is the reader
    the service's lifespan made."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in WRITE_METHODS:
            headers = dict(scope["headers"])
            presented = headers.get(INTERNAL_TOKEN_HEADER.lower().encode(), b"").decode("latin-1")
            token: InternalToken = scope["app"].state.internal_token
            try:
                await run_in_threadpool(token.check, presented)
            except DomainError as refused:
                response = problem(
                    refused.status, refused.detail, instance=scope["path"], headers=refused.headers
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class InternalAuth:
    """For ``httpx.Client(auth=...)``: every call carries the current token (read when sent,
    so a rotated token is picked up)."""

    def __init__(self, token: InternalToken) -> None:
        self._token = token

    def __call__(self, request: Any) -> Any:
        request.headers[INTERNAL_TOKEN_HEADER] = self._token.value()
        return request
