"""Moto's response serializer: each member's candidate names are worked out once, not per value.

What was slow. Moto 5.2.5 serializes a response by walking the operation's
output shape; for every member of every structure it asks
``AttributePicker.get_possible_keys`` which attribute names of the Python
object may hold the member: six alias providers, each instantiated for the
call, each looking at the shape, its parent, the object's class and its
``Meta``, then botocore's ``xform_name`` on each candidate. A DynamoDB item is
a map of ``AttributeValue`` structures of ten members each, so one GetItem of
an 8-attribute item asked 375 times; profiled, those candidates were a
quarter of a GetItem's time in Moto.

What the patch does. The candidates depend only on the picker's class, the
member's name, its shape and the shape's parent, and the object's class (its
name and its class-level ``Meta``). They are computed by Moto's own code the
first time and kept per those; an object carrying a ``Meta`` of its own is
asked every time, as before. The picker then tries the same names in the
same order. The cache is bounded: past ``CACHE_LIMIT`` entries (shapes are
cached by botocore per process, so it does not grow in steady state) it starts
over.
"""

from collections.abc import Callable, Iterable
from typing import Any

from moto.core import serialize

CACHE_LIMIT = 100_000

_possible_keys = serialize.AttributePicker.get_possible_keys
_xformed_possible_keys = serialize.XFormedAttributePicker.get_possible_keys
_cache: dict[tuple[Any, ...], tuple[str, ...]] = {}


Picker = Callable[..., Iterable[str]]


def _cached(original: Picker) -> Picker:
    def get_possible_keys(
        picker: serialize.AttributePicker, context: serialize.AttributePickerContext
    ) -> Iterable[str]:
        obj = context.obj
        if "Meta" in getattr(obj, "__dict__", ()):
            return original(picker, context)  # aliases of its own: nothing to share
        shape = context.shape
        # ``original``, not the picker's class: XFormedAttributePicker's calls AttributePicker's.
        key = (
            original,
            type(picker),
            type(obj),
            context.key,
            shape,
            getattr(shape, "parent", None),
        )
        keys = _cache.get(key)
        if keys is None:
            if len(_cache) >= CACHE_LIMIT:
                _cache.clear()
            keys = _cache[key] = tuple(original(picker, context))
        return keys

    return get_possible_keys


def apply() -> None:
    serialize.AttributePicker.get_possible_keys = _cached(_possible_keys)  # type: ignore[method-assign, assignment]
    serialize.XFormedAttributePicker.get_possible_keys = _cached(_xformed_possible_keys)  # type: ignore[method-assign, assignment]
