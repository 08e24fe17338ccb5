"""The WSGI middleware around Moto's server app: journal what changes state.

For every request that can change state (see ``classify``), under the store's
lock: seed the random sources, let Moto execute it, append the record to the
journal (fsynced with ``always``), and only then send the response. An
acknowledged write is a journaled write. Reads run under the same lock so they
never draw from a generator a write has just seeded; a read that turns out to
change state (``watch``) is journaled too.
"""

import io
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from werkzeug.wsgi import get_input_stream

from durable_moto import (
    addresses,
    classify,
    determinism,
    effects,
    first_use,
    longpoll,
    progress,
    queued_results,
    visits,
    watch,
    wsgi,
)
from durable_moto.admin import ADMIN_PREFIX, Admin
from durable_moto.journal import JournalWriter
from durable_moto.records import Record
from durable_moto.snapshot import SnapshotError
from durable_moto.store import DurableStore

RESET_PATH = "/moto-api/reset"
MOTO_API = "/moto-api/"
"""Moto's own API: its reads (the readiness check, the dashboard) change no service's state."""
logger = logging.getLogger("durable_moto")


class DurableApp:
    def __init__(self, moto_app: wsgi.WsgiApp, store: DurableStore) -> None:
        self.moto_app = moto_app
        self.store = store
        self.admin = Admin(self)
        self._changed = threading.Condition()
        determinism.install()
        first_use.install()
        progress.install()
        addresses.install()
        visits.install()
        queued_results.install()
        effects.install()

    def reset_moto(self) -> None:
        """Moto's own reset; the caller snapshots the empty state right after."""
        environ = wsgi.environ_for(
            Record({"REQUEST_METHOD": "POST", "PATH_INFO": RESET_PATH}, b"", 0, 0.0)
        )
        wsgi.call(self.moto_app, environ)

    def replay(self, record: Record) -> None:
        """Execute a journaled request again, exactly as it first ran (failing, if it did)."""
        with (
            determinism.replaying(record.seed, record.timestamp, record.keys),
            effects.replaying(record.effects),
        ):
            _, failed = _call_moto(self.moto_app, wsgi.environ_for(record), quiet=True)
        if failed and not record.failed:
            raise RuntimeError(f"{record.summary} failed on replay, not live: {failed}")

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(ADMIN_PREFIX):
            response = self.admin.handle(environ)
        else:
            body = get_input_stream(environ).read()
            environ.pop("HTTP_TRANSFER_ENCODING", None)  # the body is whole now
            response = self.execute(environ, body)
        return wsgi.send(response, environ, start_response)

    def execute(self, environ: dict[str, Any], body: bytes) -> wsgi.Response:
        long_poll = longpoll.long_poll_seconds(environ, body)
        if long_poll is None:
            return self._execute_once(environ, body)
        wait, short_poll = long_poll
        deadline = time.monotonic() + wait
        while True:
            response = self._execute_once(environ, short_poll)
            remaining = deadline - time.monotonic()
            if response.code != 200 or longpoll.has_messages(response.body) or remaining <= 0:
                return response
            with self._changed:
                self._changed.wait(timeout=min(1.0, remaining))

    def _execute_once(self, environ: dict[str, Any], body: bytes) -> wsgi.Response:
        mutating = classify.is_mutating(environ, body)
        if mutating:
            self.store.hold_back_write()
        with self.store.lock:
            if self.store.unavailable:
                return wsgi.plain(503, f"durable-moto: {self.store.unavailable}")
            if mutating:
                if self.store.write_failure:
                    return wsgi.plain(503, f"durable-moto: {self.store.write_failure}")
                record = Record.from_environ(environ, body, determinism.new_seed(), time.time())
                response, record = self._run_seeded(record)
                try:
                    written = self.store.append(record)
                except OSError:
                    return _not_persisted(self.store)
                if path_is_reset(environ):
                    self._compact_after_reset()
            else:
                try:
                    response, written = self._read(environ, body)
                except OSError:
                    return _not_persisted(self.store)
        try:
            self.store.make_durable(written)
        except OSError:
            return _not_persisted(self.store)
        if mutating:
            with self._changed:
                self._changed.notify_all()  # wake long polls: a message may have arrived
        return response

    def _read(
        self, environ: dict[str, Any], body: bytes
    ) -> tuple[wsgi.Response, tuple[JournalWriter, int]]:
        """Run a read, journaled after all if it changed state (``watch``).

        While writes are refused after a failed write (``write_failure``) such a
        read is not journaled: reads go on, and what it changed is changed
        again after the restart.

        OSError: its record could not be written (undone as a write is).
        """
        environ["wsgi.input"] = io.BytesIO(body)
        if str(environ.get("PATH_INFO", "")).startswith(MOTO_API):
            # Not watched: a fresh server's first answer, the readiness check, need
            # not wait for the clock-stopping code to import (0.3 s with pytest).
            return wsgi.call(self.moto_app, environ), self.store.written_so_far()
        arrived = dict(environ)  # Moto edits the environ it runs with
        with watch.watching() as read:
            response, failed = _call_moto(self.moto_app, environ)
        if not read.changed or self.store.write_failure:
            # A read may show writes whose fsync is still under way: it is answered
            # only once they are on disk, so no reader sees a write that fails.
            return response, self.store.written_so_far()
        record = Record.from_environ(arrived, body, determinism.new_seed(), read.at)
        return response, self.store.append(replace(record, failed=failed))

    def _compact_after_reset(self) -> None:
        """The journal before a reset is dead weight: snapshot the empty state.

        The reset itself is journaled, so a snapshot that fails loses nothing
        and the reset is answered as what it is, done.
        """
        try:
            self.store.compact_in_process()
        except (SnapshotError, OSError) as error:
            logger.error("snapshot after a reset failed, the journal keeps the reset: %s", error)

    def _run_seeded(self, record: Record) -> tuple[wsgi.Response, Record]:
        """Run it exactly as a replay will: from the record, with its seed and its time.

        Returns the response and the record to journal: marked ``failed`` when Moto
        failed half-way (see ``_call_moto``).
        """
        started = time.thread_time()  # CPU, not waits: see ReplayCost
        with (
            determinism.running(record.seed, record.timestamp) as keys,
            effects.recording() as outside,
        ):
            response, failed = _call_moto(self.moto_app, wsgi.environ_for(record))
        self.store.replay_cost.add(time.thread_time() - started)  # what its replay will cost
        record.keys.extend(keys)
        record.effects.extend(outside)
        return response, replace(record, failed=failed)


def _call_moto(
    moto_app: wsgi.WsgiApp, environ: dict[str, Any], *, quiet: bool = False
) -> tuple[wsgi.Response, str | None]:
    """Moto's response, and why it failed half-way if it did.

    An exception that escapes Moto (a bug of its own) is answered 500, and the
    request is journaled all the same: what Moto changed before it failed stays
    in memory, and later requests may build on it (a queue a failed CreateStack
    made before the resource it failed on, then a message sent to that queue).
    Its replay changes the same and fails the same way.
    """
    try:
        return wsgi.call(moto_app, environ), None
    except Exception as error:
        failed = f"{type(error).__name__}: {error}"
        if not quiet:
            logger.exception(
                "Moto failed on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            )
        return wsgi.problem(500, f"Moto failed on this request: {failed}"), failed


def _not_persisted(store: DurableStore) -> wsgi.Response:
    return wsgi.plain(503, f"durable-moto: NOT persisted: {store.write_failure}")


def path_is_reset(environ: dict[str, Any]) -> bool:
    return environ.get("PATH_INFO") == RESET_PATH and environ.get("REQUEST_METHOD") == "POST"
