"""durable Moto inside the test's own process: Moto's WSGI app behind ``DurableApp``.

For tests that must reach between the layers (a slow Moto, a failing disk),
which a server in a process of its own does not let them do. The journal is
real, on disk, and a restart is a fresh app replaying it.
"""

from pathlib import Path

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
