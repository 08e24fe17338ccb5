"""``make new-service`` / ``remove-service``: refusals that write nothing, and a clean undo."""

from pathlib import Path

import pytest
import yaml

from scaffold.__main__ import run
from scaffold.checks import REPO_ROOT
from scaffold.service import remove_yaml_entry, render_registry
from services.registry import Registry, load
from tests.scaffold.conftest import copy_checkout, snapshot


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy with two services of its own, so the refusals hold with or without the example:
    ``taken`` also routes ``/api/shelf``, ``later`` starts after ``taken``."""
    root = copy_checkout(tmp_path_factory.mktemp("checkout"))
    for name in ("taken", "later"):
        assert run(["new-service", name, "--root", str(root)]) == 0
    path = root / "services" / "registry.toml"
    changes: dict[str, dict[str, object]] = {
        "taken": {"routes": {"taken": "", "shelf": "/shelf"}},
        "later": {"after": ("taken",)},
    }
    services = tuple(s.model_copy(update=changes.get(s.name, {})) for s in load(path).services)
    path.write_text(render_registry(Registry(services=services)))
    return root


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Reviews", "is not a service name"),
        ("r", "is not a service name"),
        ("9lives", "is not a service name"),
        ("re_views", "is not a service name"),
        ("x" * 32, "is not a service name"),
        ("reviews/../../etc", "is not a service name"),
        ("gateway", "is reserved by the platform"),
        ("common", "is reserved by the platform"),
        ("api", "is reserved by the platform"),
        ("class", "is reserved by the platform"),
        ("taken", "already exists"),
        ("shelf", "/api/shelf is already a route of 'taken'"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(
    checkout: Path, name: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(checkout)
    assert run(["new-service", name, "--root", str(checkout)]) == 1
    assert reason in capsys.readouterr().err
    assert snapshot(checkout) == before


def test_a_folder_in_the_way_is_refused(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (checkout / "services" / "notes").mkdir()
    try:
        before = snapshot(checkout)
        assert run(["new-service", "notes", "--root", str(checkout)]) == 1
        assert "services/notes/ already exists" in capsys.readouterr().err
        assert snapshot(checkout) == before
    finally:
        (checkout / "services" / "notes").rmdir()


def test_remove_refuses_unknown_services_the_gateway_and_needed_ones(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(checkout)
    assert run(["remove-service", "nothing", "--root", str(checkout)]) == 1
    assert run(["remove-service", "gateway", "--root", str(checkout)]) == 1
    assert run(["remove-service", "taken", "--root", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "no service 'nothing'" in err
    assert "cannot be removed" in err
    assert "later starts after 'taken'; remove that first" in err
    assert snapshot(checkout) == before


def test_new_then_remove_leaves_the_checkout_as_it_was(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path)
    before = snapshot(checkout)
    assert run(["new-service", "user-notes", "--root", str(checkout)]) == 0
    registry = load(checkout / "services" / "registry.toml")
    added = registry.get("user-notes")
    assert added.routes == {"user-notes": ""}
    assert added.port not in {s.port for s in registry.services if s != added}
    assert registry.names[-2:] == ["user-notes", "gateway"]
    assert (checkout / "services/user_notes/main.py").exists()
    assert (checkout / "e2e/test_user_notes.py").exists()
    assert run(["check", "--root", str(checkout)]) == 0
    assert run(["remove-service", "user-notes", "--root", str(checkout)]) == 0
    assert snapshot(checkout) == before


def test_removing_an_entry_takes_others_dependencies_on_it_too() -> None:
    text = (REPO_ROOT / "compose.yaml").read_text()
    text = text.replace("  gateway:\n", "  first:\n    image: x\n\n  gateway:\n")
    seeded = "      seed: {condition: service_completed_successfully}\n"
    before, _, after = text.rpartition(seeded)  # the gateway's: it is the last service
    text = before + seeded + "      first: {condition: service_healthy}\n" + after
    assert yaml.safe_load(text)["services"]["gateway"]["depends_on"]["first"]
    compose = yaml.safe_load(remove_yaml_entry(text, "first"))
    assert "first" not in compose["services"]
    assert "first" not in compose["services"]["gateway"]["depends_on"]
    assert "seed" in compose["services"]["gateway"]["depends_on"]
    assert remove_yaml_entry(text, "nothing-here") == text
