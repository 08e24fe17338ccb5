"""Every model: Moto tracks the instances that are alive, not every instance it ever made.

What grew. ``BaseModel.__new__`` (Moto 5.2.5) appends every model object
to its class's ``instances_tracked`` list, and only a reset empties the list.
Nothing else lets go of them: an S3 object put 1,000 times under one key left
1,000 ``FakeKey`` objects (and their buffers) in memory for the one key
stored; 1,000 SQS messages sent and deleted left 2,000 ``Message`` objects
with the queue empty. A server that runs for long grows without bound, by the
size of everything it was ever sent, whatever it still stores.

Moto reads the lists in two places, and both want live objects only: the S3
reset closes the files of the keys it finds there, and the dashboard
(``/moto-api/data.json``) lists every model's instances.

What the patch does. Each class's list becomes a ``WeakInstances``: the same
creation order, ``append`` and iteration, but it holds its instances weakly, so
an instance is freed when nothing else holds it, and leaves the list. A reset's
plain ``[]`` is turned into one again by the next instance created. An object
that cannot be weakly referenced (none of Moto's models, today) is held as
before.

What changes for a user: the dashboard lists what Moto holds, not everything it
once made. Two of Moto's in-process tests assert the old listing and would change
with this upstream: ``test_overwriting_s3_object_still_returns_data`` (an
overwritten S3 key is still listed) and
``test_creation_error__data_api_still_returns_thing`` (an instance whose
``__init__`` failed is still listed). Moto's S3 tests pass as before. And an S3
key that Moto drops without disposing of it (the copies ``ListObjectVersions``
makes) now has its buffer closed when it is freed, with the ``ResourceWarning``
Moto's ``FakeKey.__del__`` gives for that (Python shows none by default).
"""

import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from moto.core.common_models import BaseModel

_converting = threading.Lock()


class WeakInstances:
    """A model class's live instances, in creation order; the list Moto appends to.

    A plain weak reference per instance (about 80 bytes), with no callback: entries
    of freed instances are dropped once the list has doubled since it was last
    pruned, so the list holds at most about twice the live instances and each
    append costs O(1) on average. A weak reference with a callback, or a
    ``WeakValueDictionary``, costs two to five times as much per live model,
    and a store holds hundreds of thousands of them.
    """

    def __init__(self, instances: Iterable[object] = ()) -> None:
        self._entries: list[weakref.ref[object] | object] = []
        self._prune_at = _PRUNE_MINIMUM
        self._lock = threading.Lock()
        for instance in instances:
            self.append(instance)

    def append(self, instance: object) -> None:
        try:
            entry: weakref.ref[object] | object = weakref.ref(instance)
        except TypeError:  # not weakly referable: held, as Moto holds every instance
            entry = instance
        with self._lock:
            self._entries.append(entry)
            if len(self._entries) >= self._prune_at:
                self._entries = [e for e in self._entries if _live(e) is not None]
                self._prune_at = max(_PRUNE_MINIMUM, 2 * len(self._entries))

    def __iter__(self) -> Iterator[Any]:
        for entry in list(self._entries):
            instance = _live(entry)
            if instance is not None:
                yield instance

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __eq__(self, other: object) -> bool:
        """Equal to a list of the same instances, as the list it replaces was."""
        if isinstance(other, WeakInstances | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the list it replaces

    def __repr__(self) -> str:
        return f"WeakInstances({list(self)!r})"


_PRUNE_MINIMUM = 64
"""Entries a list may hold before its first pruning: small lists are never scanned."""


def _live(entry: object) -> object | None:
    return entry() if isinstance(entry, weakref.ref) else entry


def _new(cls: type[BaseModel], *args: Any, **kwargs: Any) -> BaseModel:
    """``BaseModel.__new__`` as in Moto 5.2.5, tracking the instance weakly."""
    instance = super(BaseModel, cls).__new__(cls)
    tracked = cls.instances_tracked  # type: ignore[attr-defined]
    if not isinstance(tracked, WeakInstances):  # first use, or reset to [] since
        with _converting:  # two threads making a class's first instance share one list
            tracked = cls.instances_tracked  # type: ignore[attr-defined]
            if not isinstance(tracked, WeakInstances):
                tracked = WeakInstances(tracked)
                cls.instances_tracked = tracked  # type: ignore[attr-defined]
    tracked.append(instance)
    return instance


def apply() -> None:
    BaseModel.__new__ = staticmethod(_new)  # type: ignore[method-assign]
