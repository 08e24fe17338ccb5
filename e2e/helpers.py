"""Helpers for any e2e test, the platform's and every service's: waiting for an effect."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll ``check`` until it returns something, or fail saying ``what`` did not happen:
    what a service does after a request (an event handled, a queue drained) shows only later."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.5)
