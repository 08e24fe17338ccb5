"""Answering while recovery runs, so that waiters can tell slow progress from a hang.

The server listens before it recovers. Until recovery has finished every
request gets a 503 ``application/problem+json`` with the replay's progress,
and the header ``X-Durable-Moto-Progress`` (records replayed so far): a waiter
keeps waiting while that number moves, and gives up only when it stops.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from durable_moto import wsgi
from durable_moto.replay_cost import ReplayProgress

PROGRESS_HEADER = "X-Durable-Moto-Progress"


class StartupGate:
    """A WSGI app that answers 503 with progress until ``open`` hands it the real app."""

    def __init__(self, progress: ReplayProgress) -> None:
        self.progress = progress
        self.app: wsgi.WsgiApp | None = None

    def open(self, app: wsgi.WsgiApp) -> None:
        self.progress.done = True
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        app = self.app
        if app is not None:
            return app(environ, start_response)
        report = self.progress.report()
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "durable-moto is recovering its state",
                "status": 503,
                "detail": self.progress.describe(),
                "progress": report,
            }
        ).encode()
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", "application/problem+json"),
                ("Retry-After", "1"),
                (PROGRESS_HEADER, str(report["replayed_records"])),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]
