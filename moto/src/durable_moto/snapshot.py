"""Snapshots: every loaded Moto backend, pickled, in one atomically written file.

File layout: magic, a JSON header frame (format, Moto version, the journal
segment the snapshot precedes, service list), then per service a JSON frame
naming where its backend dictionary lives and a frame with its pickle, then an
``END`` frame. Frames carry checksums, so truncation or a flipped byte is
detected on load, never silently loaded.

Services are pickled one by one: one that cannot be pickled is named, and the
snapshot is abandoned (its state stays safe in the journal) rather than
written without it.
"""

import functools
import gc
import importlib
import io
import json
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import cloudpickle
from moto.core.base_backend import BackendDict

from durable_moto import runfiles
from durable_moto.frames import CorruptFrame, frame, read_whole
from durable_moto.journal import fsync_directory

logger = logging.getLogger("durable_moto")

MAGIC = b"DMS1"
FORMAT = 2
"""2: raw mappings keep their items as a dict (1: a list of pairs), which a format-1
server would misread; this server reads both."""
READABLE_FORMATS = (1, 2)
_END = b"END"


class SnapshotError(Exception):
    """A snapshot could not be written (which services) or read (why)."""


@dataclass
class SnapshotInfo:
    path: Path
    segment: int
    created: float
    size: int


@functools.cache
def reducers() -> ModuleType:
    """``reducers``, installed on first use, not at start-up: it imports cryptography
    (about 30 ms; plain Moto starts in 0.45 s).

    A server calls it before it forks a snapshot writer: the child must import
    nothing, since a module another thread was importing at the fork stays
    locked in the child for ever.
    """
    from durable_moto import reducers as module

    module.install()
    return module


class _Pickler(cloudpickle.Pickler):  # type: ignore[misc]
    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.special_reduce = reducers().special_reduce

    def reducer_override(self, obj: Any) -> Any:
        special = self.special_reduce(obj)
        return special if special is not None else super().reducer_override(obj)


def _dumps(key: str, obj: Any) -> bytes:
    """Pickled by the C pickler alone, unless the state holds what only cloudpickle can.

    cloudpickle's hook, and ours, run in Python for every object pickled: they
    made 100,000 DynamoDB items take 10 s to snapshot, against 1.7 s for the C
    pickler. Whatever the C pickler cannot pickle makes it fail (a lambda, a
    key behind an abstract class): then the service is pickled again the slow
    way. What both can pickle, they pickle the same: the raw mappings through
    the same reducer, found by exact class.
    """
    buffer = io.BytesIO()
    fast = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    fast.dispatch_table = reducers().dispatch_table()
    try:
        fast.dump(obj)
    except Exception as error:  # anything the C pickler refuses goes the slow way
        logger.debug("%s pickled with cloudpickle: %s: %s", key, type(error).__name__, error)
        buffer = io.BytesIO()
        _Pickler(buffer).dump(obj)
    return buffer.getvalue()


SETTINGS = (
    "moto.core.config:default_user_config",
    "moto.moto_api:state_manager",
    "moto.moto_api._internal.models:moto_api_backend",
)
"""Moto's settings, kept outside any backend: the config (``POST /moto-api/config``, such as
Step Functions' ``execute_state_machine``), the state manager's transitions
(``/moto-api/state-manager/set-transition``) and the proxy's passthrough list. The
requests that set them are journaled, but a snapshot replaces the journal before it: a
snapshot without them, as every clean stop writes one, lost them. Moto's reset keeps
them, so a snapshot keeps them too."""


def snapshot_name(segment: int) -> str:
    return f"snapshot-{segment:08d}.dms"


def live_backends() -> dict[str, BackendDict[Any]]:
    """Backend dictionaries holding state, keyed ``module:attribute``.

    The module is the one that defines the backend class (``moto.sqs.models``
    for ``sqs_backends``), whichever other modules import the dictionary too.
    """
    in_use = {id(backend) for backend in BackendDict._instances}  # type: ignore[misc]
    homes: dict[int, tuple[str, BackendDict[Any]]] = {}
    for module_name, module in sorted(sys.modules.items(), key=lambda m: _home_rank(m[0])):
        if not module_name.startswith("moto.") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if isinstance(value, BackendDict) and id(value) in in_use:
                key = f"{module_name}:{attribute}"
                if id(value) not in homes or module_name == value.backend.__module__:
                    homes[id(value)] = (key, value)
    return dict(homes.values())


def _home_rank(module_name: str) -> tuple[int, str]:
    return (0 if module_name.endswith(".models") else 1, module_name)


def encode_state(
    segment: int, moto_version: str, *, wanted: Callable[[], bool] = lambda: True
) -> bytes:
    """The whole snapshot file's bytes; raises SnapshotError naming unpicklable services.

    ``wanted`` is asked between services: a snapshot nobody waits for any more
    stops early.
    """
    pickled: dict[str, bytes] = {}
    failed: dict[str, str] = {}
    with gc_paused():  # millions of objects visited, none freed: see gc_paused
        for key, backend in sorted(live_backends().items()):
            if not wanted():
                raise SnapshotError("abandoned: the server that asked for it is gone")
            try:
                pickled[key] = _dumps(key, dict(backend))
            except Exception as error:  # any pickling failure names the service
                failed[key] = f"{type(error).__name__}: {error}"
        for key in SETTINGS:
            module_name, attribute = key.split(":")
            module = sys.modules.get(module_name)  # one not imported yet holds Moto's defaults
            if module is not None:
                pickled[key] = _dumps(key, getattr(module, attribute))
    if failed:
        raise SnapshotError(
            "cannot snapshot " + "; ".join(f"{key} ({why})" for key, why in failed.items())
        )
    header = {
        "format": FORMAT,
        "moto": moto_version,
        "segment": segment,
        "created": time.time(),
        "services": sorted(pickled),
    }
    parts = [MAGIC, frame(json.dumps(header).encode())]
    for key, data in pickled.items():
        parts += [frame(key.encode()), frame(data)]
    parts.append(frame(_END))
    return b"".join(parts)


def temporary_name(path: Path) -> Path:
    return path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")


def write_atomically(path: Path, data: bytes, *, wanted: Callable[[], bool] = lambda: True) -> None:
    """Temp file, fsync, rename, fsync the folder: a reader sees all of it or none.

    The temporary file never outlives a failure. ``wanted`` is asked last, just
    before the rename: a snapshot whose server is gone is not put in place.
    """
    temporary = temporary_name(path)
    try:
        with runfiles.open_owner_only(temporary) as out:  # the journal's state, secrets too
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if not wanted():
            raise SnapshotError("abandoned: the server that asked for it is gone")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def decode_state(data: bytes, moto_version: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Header and per-service pickles; raises SnapshotError on any damage or version mismatch."""
    if data[: len(MAGIC)] != MAGIC:
        raise SnapshotError("not a snapshot (bad magic)")
    try:
        payloads = read_whole(data, len(MAGIC))
    except CorruptFrame as error:
        raise SnapshotError(str(error)) from None
    if not payloads or payloads[-1] != _END:
        raise SnapshotError("truncated: no end marker")
    header = json.loads(payloads[0])
    if header.get("format") not in READABLE_FORMATS or header.get("moto") != moto_version:
        raise SnapshotError(
            f"written by format {header.get('format')} / Moto {header.get('moto')}, "
            f"this server is format {FORMAT} / Moto {moto_version}"
        )
    body = payloads[1:-1]
    services = {body[i].decode(): body[i + 1] for i in range(0, len(body), 2)}
    return header, services


def install_state(services: dict[str, bytes]) -> None:
    """Replace Moto's in-memory state with the snapshot's, in place.

    Backend dictionaries are module-level singletons that other modules import
    by reference, so they are refilled rather than replaced.
    """
    reducers()  # its fix for Lambda functions loaded from a snapshot
    BackendDict.reset()
    with gc_paused():
        for key, data in services.items():
            module_name, attribute = key.split(":")
            live = getattr(importlib.import_module(module_name), attribute)
            loaded = pickle.loads(data)  # noqa: S301 - our own files, see the README
            if key in SETTINGS:  # objects others hold too, refilled in place as well
                _refill(live if isinstance(live, dict) else vars(live), loaded)
                continue
            live.clear()
            live.update(loaded)
            if live not in BackendDict._instances:  # type: ignore[misc]
                BackendDict._instances.append(live)  # type: ignore[misc]


def _refill(live: dict[str, Any], loaded: Any) -> None:
    live.clear()
    live.update(loaded if isinstance(loaded, dict) else vars(loaded))


def out_of_gc_sight() -> None:
    """Move every object alive now out of the cyclic GC's sight (``gc.freeze``).

    A recovery runs with the GC paused (``gc_paused``), so the whole recovered state
    ends up in the youngest generation: the first collection after it visited every
    object and freed none, 0.9 s for 100,000 DynamoDB items, spent before the first
    request was answered. That state lives as long as the server, so it is frozen
    instead. Reference counting still frees what a later request drops; only a
    reference cycle among those objects, once dropped, stays until the server exits.
    Snapshot children gain too: no collection in the parent touches those objects,
    so their pages stay shared with the child instead of being copied.
    """
    gc.freeze()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Rebuilding a state creates millions of objects that all live on, so the cyclic
    GC, triggered again and again, finds nothing to free: it made loading 100k DynamoDB
    items take 2.9 s instead of 0.7 s, and a recovery replaying 1,075 batch writes on
    top of them 11.3 s instead of 6.6 s. Writing a snapshot, likewise, allocates as it
    goes while millions of objects are alive: 5.4 s instead of 2.9 s for 100k items."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
