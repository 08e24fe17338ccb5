"""durable Moto inside the test's own process: Moto's WSGI app behind ``DurableApp``.

For tests that must reach between the layers (a slow Moto, a failing disk),
which a server in a process of its own does not let them do. The journal is
real, on disk, and a restart is a fresh app replaying it.
"""

import json
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from durable_moto import wsgi
from durable_moto.app import DurableApp
from durable_moto.config import DurableConfig
from durable_moto.records import Record
from durable_moto.store import DurableStore


def open_app(data_dir: Path, version: str) -> tuple[DurableApp, DurableStore]:
    """Start as the server does: recover from ``data_dir``, fsync ``always``."""
    store = DurableStore(DurableConfig(data_dir, fsync="always"), version)
    app = DurableApp(DomainDispatcherApplication(create_backend_app), store)
    store.open(app.replay, app.reset_moto)
    return app, store


def request(
    app: DurableApp, method: str, path: str, body: bytes = b"", **headers: str
) -> wsgi.Response:
    """One request through the durable layer; ``headers`` as WSGI keys (``HTTP_HOST``)."""
    environ = wsgi.environ_for(
        Record({"REQUEST_METHOD": method, "PATH_INFO": path, **headers}, body, 0, 0.0)
    )
    return app.execute(environ, body)


def call_json(
    app: DurableApp, service: str, target: str, payload: dict[str, Any], version: str = "1.1"
) -> dict[str, Any]:
    """One call of a JSON-protocol service (``target`` as in ``X-Amz-Target``), answered 200."""
    response = request(
        app,
        "POST",
        "/",
        json.dumps(payload).encode(),
        HTTP_HOST=f"{service}.us-east-1.amazonaws.com",
        HTTP_X_AMZ_TARGET=target,
        CONTENT_TYPE=f"application/x-amz-json-{version}",
        HTTP_AUTHORIZATION=(
            f"AWS4-HMAC-SHA256 Credential=test/20261130/us-east-1/{service}/aws4_request"
        ),
    )
    assert response.code == 200, response.body
    answer: dict[str, Any] = json.loads(response.body)
    return answer
