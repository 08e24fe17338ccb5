"""Bounded waits: every wait in the stack controller has a deadline and says what it waited for."""

import socket
import time
from collections.abc import Callable

import httpx


class StackError(RuntimeError):
    pass


def wait_healthy(
    url: str, timeout_seconds: float, *, alive: Callable[[], bool] | None = None
) -> None:
    """Poll ``url`` until it answers 200."""
    deadline = time.monotonic() + timeout_seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise StackError(f"process behind {url} exited while starting")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as error:
            last = f"{type(error).__name__}: {error}"
        time.sleep(0.2)
    raise StackError(f"{url} not healthy after {timeout_seconds:g} s ({last})")


def free_port() -> int:
    """A port nothing listens on now; the stack binds it a moment later."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
