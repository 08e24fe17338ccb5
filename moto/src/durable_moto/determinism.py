"""Making a request produce the same identifiers every time it runs.

Moto draws ids, ARNs, receipt handles and tokens from one seeded generator
(``mock_random``); some code paths use ``os.urandom`` (KMS key material,
``uuid.uuid4``) or ``secrets`` instead. Before each journaled request all of
them are tied to a fresh seed stored in its record, and the clock is stopped
(``time_machine``) at the time the record keeps: live and on replay, the same
seed and the same time give the same results.

Private keys (KMS asymmetric keys, ACM and ACM-PCA certificates, SNS signing,
EC2 key pairs) come from OpenSSL's generator, which no seed reaches. Those are
*recorded*: each key generated while a request runs is kept (PKCS#8 DER) in
the request's record, and replay hands the same keys back in the same order.

Only the thread running the journaled request sees seeded bytes: the server
runs one state-changing request at a time, and other threads keep real
randomness.
"""

import hashlib
import os
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from moto.moto_api._internal import mock_random

from durable_moto import import_hooks

KEY_MODULES = (
    "cryptography.hazmat.primitives.asymmetric.rsa",
    "cryptography.hazmat.primitives.asymmetric.ec",
)
"""Whose ``generate_private_key`` is recorded, once the module is imported: cryptography
takes about 30 ms to import (plain Moto starts in 0.45 s), and only some services use it."""

_real_urandom = os.urandom
_local = threading.local()
_installed = False


def _urandom(size: int) -> bytes:
    rng: random.Random | None = getattr(_local, "rng", None)
    return rng.randbytes(size) if rng is not None else _real_urandom(size)


def _recording(generate: Callable[..., Any]) -> Callable[..., Any]:
    def generate_or_replay(*args: Any, **kwargs: Any) -> Any:
        # Imported here: the hook that wraps ``generate`` may run inside this very import.
        from cryptography.hazmat.primitives import serialization

        replay: list[bytes] | None = getattr(_local, "replay_keys", None)
        if replay:
            return serialization.load_der_private_key(replay.pop(0), password=None)
        key = generate(*args, **kwargs)
        recorded: list[bytes] | None = getattr(_local, "recorded_keys", None)
        if recorded is not None:
            der = key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            recorded.append(der)
        return key

    return generate_or_replay


def install() -> None:
    """Route every random source through the per-request generator or key record."""
    global _installed
    if not _installed:
        os.urandom = _urandom
        random._urandom = _urandom  # type: ignore[attr-defined]  # SystemRandom, secrets
        for name in KEY_MODULES:
            import_hooks.after_import(name, _record_keys)
        _installed = True


def _record_keys(module: ModuleType) -> None:
    module.generate_private_key = _recording(module.generate_private_key)  # type: ignore[attr-defined]


def new_seed() -> int:
    return int.from_bytes(_real_urandom(8), "big")


def _seed_all(seed: int) -> None:
    """Moto's generator, Python's, and this thread's ``os.urandom``, all from ``seed``."""
    mock_random.seed(seed)
    random.seed(seed)
    _local.rng = random.Random(seed ^ 0x5DEECE66D)


@contextmanager
def _seeded(seed: int) -> Iterator[list[bytes]]:
    """Every random source this thread uses is derived from ``seed`` until exit.

    Yields the list that collects the private keys generated meanwhile.
    """
    _seed_all(seed)
    keys: list[bytes] = []
    _local.recorded_keys = keys
    try:
        yield keys
    finally:
        _local.rng = None
        _local.recorded_keys = None


@contextmanager
def aside(name: str) -> Iterator[None]:
    """Draw from generators seeded by ``name`` alone; the running request's are left as they were.

    For what Moto builds on first use (``first_use``): built the same whichever
    request comes first, and without shifting that request's own draws. Private
    keys generated meanwhile are neither recorded nor taken from the replay's
    list, which belongs to the request.
    """
    seed = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")
    saved = (
        mock_random.getstate(),
        random.getstate(),
        getattr(_local, "rng", None),
        getattr(_local, "recorded_keys", None),
        getattr(_local, "replay_keys", None),
    )
    _seed_all(seed)
    _local.recorded_keys = _local.replay_keys = None
    try:
        yield
    finally:
        mock_random.setstate(saved[0])
        random.setstate(saved[1])
        _local.rng, _local.recorded_keys, _local.replay_keys = saved[2:]


@contextmanager
def running(seed: int, timestamp: float) -> Iterator[list[bytes]]:
    """Seeded, with the clock stopped at ``timestamp``: how a journaled request runs.

    Live and on replay alike. Moto writes the time into state (a certificate's
    validity in whole seconds, a message's sent time), so a live run that read
    the real clock while it ran could store another time than its replay
    rebuilds. Stopping the clock costs a write about 5 microseconds.

    Yields the list that collects the private keys generated meanwhile.
    """
    with stopped(timestamp), _seeded(seed) as keys:
        yield keys


@contextmanager
def stopped(timestamp: float) -> Iterator[None]:
    """The clock stopped at ``timestamp``, for every thread, until exit."""
    # Imported here, not at start-up: time_machine imports pytest when it is installed,
    # which doubled a fresh server's start; only a write needs the clock stopped.
    import time_machine

    with time_machine.travel(timestamp, tick=False):
        yield


@contextmanager
def replaying(seed: int, timestamp: float, keys: list[bytes]) -> Iterator[None]:
    """Run as it first ran, with the private keys it generated handed back in order."""
    _local.replay_keys = list(keys)
    try:
        with running(seed, timestamp):
            yield
    finally:
        _local.replay_keys = None
