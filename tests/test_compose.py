"""compose.yaml as compose resolves it: one project per checkout, hardened containers,
and a healthcheck probe that is quick while starting and quiet once healthy."""

import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.components import REPO_ROOT
from services.registry import registry
from tests.processes import fresh_env

SERVICES = {"moto", "seed", *registry().names}


def _has_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    version = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return version.returncode == 0


pytestmark = pytest.mark.skipif(
    not _has_compose(), reason="needs the docker CLI with compose v2 (no engine needed)"
)


def resolved(directory: Path, **env: str) -> dict[str, Any]:
    """``docker compose config`` run in ``directory``, as a user there would run it."""
    clean = {k: v for k, v in fresh_env(**env).items() if k not in {"IMAGE_PREFIX"}}
    if "COMPOSE_PROJECT_NAME" not in env:
        clean.pop("COMPOSE_PROJECT_NAME", None)
    result = subprocess.run(
        ["docker", "compose", "config", "--format", "json"],
        cwd=directory,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def checkout(parent: Path, name: str) -> Path:
    """A copy of the files compose reads, in a directory named like a checkout."""
    directory = parent / name
    directory.mkdir()
    for file in ("compose.yaml", "compose.override.yaml"):
        shutil.copy(REPO_ROOT / file, directory / file)
    return directory


def names(config: dict[str, Any]) -> set[str]:
    """Everything compose creates under a name: images, network, volume, containers."""
    project = config["name"]
    return (
        {service["image"] for service in config["services"].values()}
        | {network["name"] for network in config["networks"].values()}
        | {volume["name"] for volume in config["volumes"].values()}
        | {f"{project}-{service}-1" for service in config["services"]}
    )


def test_two_checkouts_are_two_projects_with_nothing_shared(tmp_path: Path) -> None:
    first = resolved(checkout(tmp_path, "motostack"))
    second = resolved(checkout(tmp_path, "motostack-review"))
    assert (first["name"], second["name"]) == ("motostack", "motostack-review")
    assert first["services"]["moto"]["image"] == "motostack-moto:dev"
    assert second["services"]["seed"]["image"] == "motostack-review-app:dev"
    assert all("container_name" not in s for s in first["services"].values())
    assert names(first).isdisjoint(names(second))


def test_compose_project_name_names_the_stack(tmp_path: Path) -> None:
    config = resolved(checkout(tmp_path, "motostack"), COMPOSE_PROJECT_NAME="demo")
    assert config["name"] == "demo"
    assert {s["image"] for s in config["services"].values()} == {"demo-moto:dev", "demo-app:dev"}


def test_every_container_is_hardened() -> None:
    config = resolved(REPO_ROOT)
    assert set(config["services"]) == SERVICES
    for name, service in config["services"].items():
        assert service["read_only"] is True, name
        assert any(mount.startswith("/tmp:") for mount in service["tmpfs"]), name
        assert int(service["mem_limit"]) > 0, name
        assert service["cap_drop"] == ["ALL"], name
        assert service["logging"] == {
            "driver": "json-file",
            "options": {"max-size": "10m", "max-file": "3"},
        }, name
    assert [v["target"] for v in config["services"]["moto"]["volumes"]] == ["/data"]
    for dockerfile in ("moto/Dockerfile", "services/Dockerfile"):
        assert "USER 10001" in (REPO_ROOT / dockerfile).read_text().splitlines(), dockerfile


class _Probed(http.server.BaseHTTPRequestHandler):
    requests = 0
    status = 200

    def do_GET(self) -> None:
        type(self).requests += 1
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def probed() -> Iterator[tuple[str, type[_Probed]]]:
    handler = type("Handler", (_Probed,), {})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/readyz", handler
    server.shutdown()


def test_probe_polls_at_once_until_healthy_then_rests_first(
    probed: tuple[str, type[_Probed]], tmp_path: Path
) -> None:
    """Counted in requests: a probe of a starting container asks at once; one of a
    container that was healthy waits ``rest`` seconds before asking."""
    url, handler = probed
    test = resolved(REPO_ROOT)["services"]["gateway"]["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python3", "-S", "-c"]
    script, rest = test[4], test[6]
    assert float(rest) >= 20

    def probe(wait: str, timeout: float) -> int:
        return subprocess.run(
            [sys.executable, "-S", "-c", script, url, wait],
            env={"TMPDIR": str(tmp_path)},
            timeout=timeout,
            check=False,
            capture_output=True,
        ).returncode

    mark = tmp_path / ".healthy"
    handler.status = 503
    assert probe(rest, 10) != 0
    assert (handler.requests, mark.exists()) == (1, False)
    handler.status = 200
    assert probe(rest, 10) == 0
    assert (handler.requests, mark.exists()) == (2, True)
    with pytest.raises(subprocess.TimeoutExpired):
        probe(rest, 3)  # healthy before: it rests before asking
    assert handler.requests == 2
    handler.status = 503
    assert probe("0", 10) != 0
    assert (handler.requests, mark.exists()) == (3, False)  # failing again: quick polls
