"""Functions run right after a module is imported: once, on the whole module, whoever
imports it (here, as in Moto, a package importing its ``models``), and the module
keeps its own loader."""

import importlib
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from durable_moto import import_hooks


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package that imports its ``models`` as Moto's services do; its name is unique."""
    name = f"hooked_{tmp_path.name.replace('-', '_')}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("from .models import Backend\n")
    (tmp_path / name / "models.py").write_text(
        "class Backend:\n    def work(self):\n        return 'slow'\n\nCOMPLETE = True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]


def test_a_hook_runs_once_when_the_module_has_run(package: str) -> None:
    seen: list[ModuleType] = []

    def patch(models: ModuleType) -> None:
        assert models.COMPLETE  # the module's last line has run
        models.Backend.work = lambda self: "fast"
        seen.append(models)

    import_hooks.after_import(f"{package}.models", patch)
    assert seen == []  # registering imports nothing
    backend = importlib.import_module(package).Backend()
    assert backend.work() == "fast"
    importlib.reload(sys.modules[f"{package}.models"])  # runs the module again, not the hook
    assert seen == [sys.modules[f"{package}.models"]]


def test_a_module_already_imported_is_hooked_at_once(package: str) -> None:
    models = importlib.import_module(f"{package}.models")
    seen: list[ModuleType] = []
    import_hooks.after_import(f"{package}.models", seen.append)
    assert seen == [models]


def test_a_hook_registered_again_runs_once(package: str) -> None:
    """Installers register their hooks each time a server app is built (tests build many)."""
    seen: list[ModuleType] = []
    hook = seen.append
    import_hooks.after_import(f"{package}.models", hook)
    import_hooks.after_import(f"{package}.models", hook)
    models = importlib.import_module(f"{package}.models")
    import_hooks.after_import(f"{package}.models", hook)  # and once imported, too
    assert seen == [models]


def test_the_module_keeps_its_own_loader(package: str) -> None:
    import_hooks.after_import(f"{package}.models", lambda module: None)
    models = importlib.import_module(f"{package}.models")
    assert models.__spec__ is not None
    assert models.__loader__ is models.__spec__.loader
    assert type(models.__loader__).__name__ == "SourceFileLoader"
    assert "COMPLETE = True" in inspect.getsource(models)
