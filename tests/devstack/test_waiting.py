"""Waiting for a component: bounded by time without progress, not by time alone."""

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from devstack.waiting import StackError, free_port, wait_healthy
from durable_moto.startup import PROGRESS_HEADER


def serve(app: Callable[..., Iterable[bytes]]) -> Iterator[str]:
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()


@pytest.fixture
def recovering() -> Iterator[str]:
    """Reports progress for 7 s (a new count each poll), then is ready."""
    ready_at = time.monotonic() + 7
    polls = [0]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if time.monotonic() >= ready_at:
            start_response("200 OK", [])
            return [b"ok"]
        polls[0] += 1
        start_response("503 Service Unavailable", [(PROGRESS_HEADER, str(polls[0]))])
        return [b"recovering"]

    yield from serve(app)


@pytest.fixture
def stuck() -> Iterator[str]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("503 Service Unavailable", [(PROGRESS_HEADER, "7")])
        return [b"recovering"]

    yield from serve(app)


def test_waits_past_the_timeout_while_progress_moves(recovering: str) -> None:
    wait_healthy(recovering, 3)


def test_gives_up_when_progress_stops(stuck: str) -> None:
    with pytest.raises(StackError, match=r"no progress for 3 s"):
        wait_healthy(stuck, 3)
