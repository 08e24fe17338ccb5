"""Recover, then serve Moto durably until SIGTERM, then snapshot and exit."""

import logging
import os
import signal
import sys

import moto
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from durable_moto import patches, runfiles
from durable_moto.app import DurableApp
from durable_moto.config import DurableConfig
from durable_moto.guard import AdminGuard
from durable_moto.http_server import HttpServer
from durable_moto.replay_cost import ReplayCost, ReplayProgress, pending_records
from durable_moto.snapshot import SnapshotError
from durable_moto.startup import StartupGate
from durable_moto.store import DurableStore, RecoveryError
from durable_moto.wsgi import WsgiApp

logger = logging.getLogger("durable_moto")


def serve(host: str, port: int, config: DurableConfig) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        patches.apply()
    except patches.PatchVersionError as error:
        print(error, file=sys.stderr)
        return 3
    moto_app = DomainDispatcherApplication(create_backend_app)
    store = DurableStore(config, moto.__version__) if config.persistence else None
    if store:
        config.data_dir.mkdir(parents=True, exist_ok=True)  # the admin token lives there
    pending = pending_records(config.data_dir) if store else 0
    progress = ReplayProgress(pending, store.replay_cost if store else ReplayCost())
    # Listening from the start: while recovery runs, requests get its progress (503).
    gate = StartupGate(progress)
    guarded = AdminGuard(gate, runfiles.admin_token(config.data_dir if store else None))
    server = HttpServer(host, port, guarded, config.threads)
    server.start()
    app: WsgiApp = moto_app
    if store is not None:
        store.close_in_child.append(server.socket.fileno())
        durable = DurableApp(moto_app, store)
        try:
            store.open(progress.wrap(durable.replay), durable.reset_moto)
        except RecoveryError as error:
            print(error, file=sys.stderr)
            server.shutdown()
            return 3
        app = durable
    stop_signals = _catch_stop_signals()  # before it answers: whoever sees it ready may stop it
    gate.open(app)
    if store is not None:
        runfiles.write_address(config.data_dir, runfiles.Address(host, server.port, os.getpid()))
    where = f"data in {config.data_dir}, fsync {config.fsync}" if store else "persistence off"
    logger.info("durable-moto %s listening on %s:%d (%s)", moto.__version__, host, port, where)
    while os.read(stop_signals, 1)[0] not in STOP_SIGNALS:
        pass
    logger.info("stopping: finishing requests, then a final snapshot unless the last is current")
    server.shutdown()
    if store is not None:
        runfiles.remove_address(config.data_dir)
        with store.lock:
            try:
                if not store.snapshot_is_current():
                    store.compact_in_process()
            except (SnapshotError, OSError) as error:
                logger.error("final snapshot failed; the journal has everything: %s", error)
        store.close()
    logger.info("stopped")
    logging.shutdown()
    # Everything is on disk: exit now instead of letting the interpreter free the
    # emulated state object by object (with a large state that took up to a minute).
    os._exit(0)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _catch_stop_signals() -> int:
    """A pipe whose read end gets a byte, the signal's number, for each SIGTERM or SIGINT.

    Python runs a signal's handler in the main thread between two of its
    bytecodes, possibly while that thread holds a lock: a handler that set a
    ``threading.Event`` the main thread was waiting on deadlocked, now and then,
    on the Event's own lock, and the server never stopped. Python's C-level
    handler writes the number to the wakeup descriptor instead, whichever
    thread the kernel delivered the signal to, and takes no lock.
    """
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end)
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda signum, frame: None)
    return read_end
