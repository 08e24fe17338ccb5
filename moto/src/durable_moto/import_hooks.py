"""Run a function right after a module is imported, wherever that import comes from.

Why. Moto's server imports a service's code on that service's first request,
so a fresh ``moto_server`` starts in about 0.45 s. Durable Moto changes a few
of Moto's functions (``patches``, the key and effect recorders) and used to
import the modules it changes at start-up: DynamoDB, SQS, Lambda (which
pulls in IAM, ECR, S3, Logs, Events ...) and cryptography: about 80 ms on
top of plain Moto's 0.45 s, for services a project may never call.

How. A finder first on ``sys.meta_path`` wraps the loader of each watched
module; once the module's code has run, still inside the import that loaded
it, the registered functions run. No code can reach the module unpatched:
not a request routed to its backend, not a snapshot being unpickled, not
another module's ``from … import``. A module already in ``sys.modules`` when
its function is registered gets it at once.

``around_imports`` runs the code of every module under a package inside a
context of its own (``first_use`` makes Moto's draws at import reproducible).
"""

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from types import ModuleType

Hook = Callable[[ModuleType], None]
Around = Callable[[str], AbstractContextManager[object]]

_hooks: dict[str, list[Hook]] = {}
_registered: set[tuple[str, Hook]] = set()
_around: dict[str, Around] = {}
_lock = threading.Lock()


def after_import(name: str, hook: Hook) -> None:
    """Call ``hook(module)`` once the module ``name`` is imported (now, if it already is).

    Once per process: a hook registered again for the same module is not run again,
    so whoever installs hooks may do so each time it is built.
    """
    with _lock:
        if (name, hook) in _registered:
            return
        _registered.add((name, hook))
        module = sys.modules.get(name)
        if module is None:
            _hooks.setdefault(name, []).append(hook)
            _install_finder()
            return
    hook(module)


def around_imports(package: str, around: Around) -> None:
    """Run each module of the top-level ``package`` imported from now on inside ``around(name)``."""
    with _lock:
        _around[package] = around
        _install_finder()


def _install_finder() -> None:
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def _run_hooks(module: ModuleType) -> None:
    with _lock:
        hooks = _hooks.pop(module.__name__, [])
    for hook in hooks:
        hook(module)


class _Loader(importlib.abc.Loader):
    """The module's own loader, with the hooks run after its code."""

    def __init__(self, loader: importlib.abc.Loader, around: Around | None) -> None:
        self.loader = loader
        self.around = around

    def __getattr__(self, name: str) -> object:
        return getattr(self.loader, name)  # get_source, get_data, is_package ...

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module sees its real loader (inspect, pkgutil.get_data, linecache).
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        with self.around(module.__name__) if self.around else nullcontext():
            self.loader.exec_module(module)
        _run_hooks(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: asks the finders after it, and wraps watched modules' loaders."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        with _lock:
            around = _around.get(fullname.partition(".")[0])
            if around is None and fullname not in _hooks:
                return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _Loader(spec.loader, around)
                return spec
        return None
