"""Moto's dispatch: stop re-listing the package and re-inspecting classes per request.

What was slow. Profiling a replay of PutItem requests through Moto's server
app (Moto 5.2.5) showed a fifth of each request in two look-ups whose answers
never change while the process runs:

* ``moto.backends.list_of_moto_modules`` lists Moto's package directory and
  ``stat``s every entry; ``DomainDispatcherApplication.get_backend_for_host``
  calls it for every request (about 60 ``stat`` calls a request).
* ``moto.core.utils.method_names_from_class``, called by
  ``BaseResponse.call_action`` for every request, runs ``inspect.getmembers``
  over the whole response class to learn which actions it has.

What the patch does. Both answers are computed once: the module list per
process (the installed package does not change under a running server), the
method names per class. Callers get the same values (a fresh list each time
for the method names, as before).
"""

import functools
from collections.abc import Iterable

from moto import backends
from moto.core import responses, utils

_list_of_moto_modules = backends.list_of_moto_modules
_method_names_from_class = utils.method_names_from_class


@functools.cache
def _moto_modules() -> tuple[str, ...]:
    return tuple(_list_of_moto_modules())


def list_of_moto_modules() -> Iterable[str]:
    return iter(_moto_modules())


@functools.cache
def _method_names(clazz: object) -> tuple[str, ...]:
    return tuple(_method_names_from_class(clazz))


def method_names_from_class(clazz: object) -> list[str]:
    return list(_method_names(clazz))


def apply() -> None:
    backends.list_of_moto_modules = list_of_moto_modules
    responses.method_names_from_class = method_names_from_class  # type: ignore[attr-defined]
