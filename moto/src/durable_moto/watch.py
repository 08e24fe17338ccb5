"""A read that turns out to change state is journaled after all, as it ran.

Reads are not journaled (``classify``), yet a few change what Moto holds while
they run, in ways no name gives away: the first request to need a region's
backend or a KMS managed key builds it (``first_use``), a Describe moves on the
modelled progress of what it describes (``progress``), a request signed with a
key Moto issued notes the key's last use (``visits``), and some take a result a
test queued (``queued_results``). Nothing but the read
knew it happened, so a restart rebuilt something else: a key that did not exist
any more, a default event bus with another creation time, a cluster back to
``creating``, a key last used long before.

So a read runs as a write does, with the clock stopped at the time it arrived
(``watching``), and what may change state runs ``changing``, which notes it when
it did. ``app`` then journals the read with that time, and replay changes the
same thing at the same moment. Stopping the clock costs a read about 6
microseconds. A journaled request is not watched: its clock is already stopped
at its record's time, and it is journaled anyway.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from durable_moto import determinism

_local = threading.local()


@dataclass
class Watch:
    """A read: the time its clock is stopped at, and whether it changed state."""

    at: float
    changed: bool = False


@contextmanager
def watching() -> Iterator[Watch]:
    """Run the read this thread runs until exit with the clock stopped, and watch it."""
    watch = Watch(time.time())
    _local.watch = watch
    try:
        with determinism.stopped(watch.at):
            yield watch
    finally:
        _local.watch = None


@contextmanager
def changing(changed: Callable[[], bool] = lambda: True) -> Iterator[None]:
    """Around code that may change state; ``changed()``, asked after it, says whether it did."""
    try:
        yield
    finally:  # a change that failed half-way is a change all the same
        watch: Watch | None = getattr(_local, "watch", None)
        if watch is not None and not watch.changed and changed():
            watch.changed = True
