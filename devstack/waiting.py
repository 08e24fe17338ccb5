"""Bounded waits: every wait in the stack controller has a deadline and says what it waited for."""

import socket
import time
from collections.abc import Callable

import httpx

from durable_moto.startup import PROGRESS_HEADER


class StackError(RuntimeError):
    pass


def wait_healthy(
    url: str, timeout_seconds: float, *, alive: Callable[[], bool] | None = None
) -> None:
    """Poll ``url`` until it answers 200.

    The deadline restarts whenever a recovering durable Moto reports progress
    (a long journal is slow to replay, not broken); ``timeout_seconds`` bounds
    the time *without* progress.
    """
    deadline = time.monotonic() + timeout_seconds
    last = "no answer"
    progress: str | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise StackError(f"process behind {url} exited while starting")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}: {response.text[:200]}"
            moved = response.headers.get(PROGRESS_HEADER)
            if moved is not None and moved != progress:
                progress = moved
                deadline = time.monotonic() + timeout_seconds
        except httpx.HTTPError as error:
            last = f"{type(error).__name__}: {error}"
        time.sleep(0.2)
    raise StackError(f"{url} not healthy, no progress for {timeout_seconds:g} s ({last})")


def free_port() -> int:
    """A port nothing listens on now; the stack binds it a moment later."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
