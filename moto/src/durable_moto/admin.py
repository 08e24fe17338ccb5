"""Admin endpoints under ``/_durable/``: status, compact, export, import, reset.

Served by the durable server itself, next to Moto's own ``/moto-api/``, to the
clients ``guard`` lets through: never a web page, and for anything but status
only the holder of the admin token (the CLI and ``make snapshot-*`` send it).
"""

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wsgi import get_input_stream

from durable_moto import snapshot, wsgi
from durable_moto.snapshot import SnapshotError

if TYPE_CHECKING:
    from durable_moto.app import DurableApp

ADMIN_PREFIX = "/_durable/"


def _json(status: int, body: dict[str, Any]) -> wsgi.Response:
    return wsgi.respond(status, json.dumps(body, indent=1).encode(), "application/json")


def services_summary() -> dict[str, dict[str, list[str]]]:
    """Per service holding state: its accounts and regions."""
    summary: dict[str, dict[str, set[str]]] = {}
    for backend in snapshot.live_backends().values():
        entry = summary.setdefault(backend.service_name, {"accounts": set(), "regions": set()})
        entry["accounts"].update(backend)
        entry["regions"].update(region for account in backend.values() for region in account)
    return {
        name: {part: sorted(values) for part, values in entry.items()}
        for name, entry in sorted(summary.items())
    }


class Admin:
    def __init__(self, app: "DurableApp") -> None:
        self.app = app

    def handle(self, environ: dict[str, Any]) -> wsgi.Response:
        action = str(environ.get("PATH_INFO", "")).removeprefix(ADMIN_PREFIX).strip("/")
        method = environ.get("REQUEST_METHOD")
        store = self.app.store
        if (action, method) == ("status", "GET"):
            with store.lock:
                return _json(200, store.status() | {"services": services_summary()})
        if (action, method) == ("compact", "POST"):
            error = store.compact(wait=True)
            if error:
                return wsgi.problem(500, error)
            return _json(200, {"snapshot": store.status()["last_snapshot"]})
        if (action, method) == ("export", "GET"):
            with store.lock:
                try:
                    data = snapshot.encode_state(store.segment, store.moto_version)
                except SnapshotError as error:
                    return wsgi.problem(500, str(error))
            return wsgi.respond(200, data, "application/octet-stream")
        if (action, method) == ("import", "POST"):
            data = get_input_stream(environ).read()
            try:
                _, services = snapshot.decode_state(data, store.moto_version)
            except SnapshotError as error:
                return wsgi.problem(400, f"not a usable state archive: {error}")
            with store.lock:
                snapshot.install_state(services)
                failure = store.snapshot_or_undo()
            if failure:
                return wsgi.problem(503, f"NOT persisted, nothing imported: {failure}")
            return _json(200, {"imported_services": sorted(services)})
        if (action, method) == ("reset", "POST"):
            with store.lock:
                self.app.reset_moto()
                failure = store.snapshot_or_undo()
            if failure:
                return wsgi.problem(503, f"NOT persisted, nothing reset: {failure}")
            return _json(200, {"reset": True})
        return wsgi.problem(404, f"no admin action {method} {ADMIN_PREFIX}{action}")
