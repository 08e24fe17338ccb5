"""The registry refuses to contradict itself, and the generator keeps its file as written."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from scaffold.service import render_registry
from services.registry import REGISTRY_FILE, load, registry

GATEWAY = '[[services]]\nname = "gateway"\nport = 8080\n'


def write(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "registry.toml"
    path.write_text(entries + GATEWAY)
    return path


def test_this_checkouts_registry_is_consistent_and_in_the_generators_form() -> None:
    assert registry().names[-1] == "gateway"
    assert render_registry(load()) == REGISTRY_FILE.read_text(), (
        "services/registry.toml is not in the form `make new-service` writes; keep its layout"
    )


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ('[[services]]\nname = "a1"\nport = 8080\n', "two services share port 8080"),
        ('[[services]]\nname = "gateway"\nport = 8001\n', "declared twice: gateway"),
        (
            '[[services]]\nname = "a1"\nport = 8001\nroutes = {x1 = ""}\n'
            '[[services]]\nname = "b1"\nport = 8002\nroutes = {x1 = "/x"}\n',
            "a route is claimed twice: x1",
        ),
        (
            '[[services]]\nname = "a1"\nport = 8001\nafter = ["b1"]\n'
            '[[services]]\nname = "b1"\nport = 8002\n',
            "a1: `after` names b1",
        ),
        ('[[services]]\nname = "a1"\nport = 8001\nroutes = {x1 = "no-slash"}\n', "must start"),
        ('[[services]]\nname = "A1"\nport = 8001\n', "name"),
        ('[[services]]\nname = "a1"\nport = 8001\ncolour = "red"\n', "colour"),
    ],
)
def test_contradictions_are_refused_naming_the_entry(
    tmp_path: Path, entries: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        load(write(tmp_path, entries))


def test_the_gateway_must_come_last(tmp_path: Path) -> None:
    path = tmp_path / "registry.toml"
    path.write_text(GATEWAY + '[[services]]\nname = "a1"\nport = 8001\n')
    with pytest.raises(ValidationError, match="the last service must be 'gateway'"):
        load(path)


def test_names_map_to_packages_and_variables(tmp_path: Path) -> None:
    (service, _) = load(write(tmp_path, '[[services]]\nname = "my-notes"\nport = 8001\n')).services
    assert (service.package, service.env_prefix) == ("my_notes", "MY_NOTES")
    assert service.app == "services.my_notes.main:app"
