"""``make up`` with no Docker engine: the stack as local processes in the background, and
``make ps``, ``make logs`` and ``make down`` for it. Real processes, real ports."""

import os
import re
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from devstack.components import REPO_ROOT
from devstack.state import StackState, is_running, state_path
from devstack.waiting import free_port
from services.registry import registry
from tests.processes import fresh_env

UP_SCRIPT = REPO_ROOT / "scripts" / "up.sh"


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )


def first_log_lines(env: dict[str, str], wanted: str) -> str:
    """``make logs`` follows the log like ``tail -f``: read until ``wanted`` shows, then stop
    it (its own process group, so the ``tail`` it runs goes too)."""
    follower = subprocess.Popen(
        ["make", "--no-print-directory", "logs"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen = []
    try:
        assert follower.stdout is not None
        for line in follower.stdout:
            seen.append(line)
            if wanted in line:
                break
    finally:
        os.killpg(follower.pid, signal.SIGTERM)
        follower.wait(timeout=10)
    return "".join(seen)


@pytest.fixture
def no_engine_env(tmp_path: Path) -> dict[str, str]:
    """No Docker engine reachable, free ports, state in a temporary directory."""
    ports = {
        f"{name}_PORT": str(free_port())
        for name in ("MOTO", *(service.env_prefix for service in registry().services))
    }
    return fresh_env(
        DOCKER_HOST="unix:///nonexistent/docker.sock",
        MOTOSTACK_DATA_DIR=str(tmp_path / "data"),
        **ports,
    )


def test_make_up_without_an_engine_runs_local_processes_until_make_down(
    no_engine_env: dict[str, str], tmp_path: Path
) -> None:
    env = no_engine_env
    up = make("up", env)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        said = [line for line in up.stdout.splitlines() if "Docker" in line]
        assert len(said) == 1, up.stdout
        assert said[0].startswith("make up: no Docker engine answers")
        assert "local processes" in said[0]

        gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        assert httpx.get(f"{gateway}/readyz", timeout=30).status_code == 200

        state = StackState.read(state_path(tmp_path / "data"))
        assert state is not None
        assert state.ready
        assert set(state.processes) == {"moto", *registry().names}
        assert all(is_running(record) for record in state.processes.values())

        ps = make("ps", env)
        assert ps.returncode == 0, ps.stderr
        for name, record in state.processes.items():
            assert re.search(rf"^{name}\s+{record.pid}\s+running, healthy$", ps.stdout, re.M), (
                ps.stdout
            )

        assert "gateway" in first_log_lines(env, "gateway")

        # make seed/plan/reset/snapshot-* find this checkout's stack, wherever it listens.
        endpoint = subprocess.run(
            [str(REPO_ROOT / "scripts" / "endpoint.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert endpoint.stdout.strip() == f"http://127.0.0.1:{env['MOTO_PORT']}"
        plan = make("plan", env)
        assert plan.returncode == 0, plan.stderr
        # Seeded: every declared resource is in place, nothing left to create or change.
        assert "in place" in plan.stdout
        assert not re.search(r"^\s*[+~] ", plan.stdout, re.M), plan.stdout

        again = make("up", env)
        assert again.returncode == 0
        assert "already runs" in again.stdout
    finally:
        down = make("down", env)
    assert down.returncode == 0, down.stderr
    assert "local stack stopped" in down.stderr
    assert not any(is_running(r) for r in [state.supervisor, *state.processes.values()])
    assert not state_path(tmp_path / "data").exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{gateway}/healthz", timeout=2)
    gone = make("ps", env)
    assert "no stack of this checkout runs" in gone.stdout
    nowhere = make("plan", env)
    assert nowhere.returncode != 0
    assert "no stack of this checkout runs" in nowhere.stderr


def test_make_down_kills_what_a_crashed_supervisor_left(
    no_engine_env: dict[str, str], tmp_path: Path
) -> None:
    """kill -9 of the supervisor orphans its processes: make down still stops them all."""
    env = no_engine_env
    up = make("up", env)
    state = StackState.read(state_path(tmp_path / "data"))
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert state is not None
        os.kill(state.supervisor.pid, signal.SIGKILL)
    finally:
        down = make("down", env)
    assert down.returncode == 0, down.stderr
    assert "was still running: killing it" in down.stderr
    assert not any(is_running(r) for r in state.processes.values())


def test_up_script_installs_nothing_and_starts_no_daemon() -> None:
    assert re.search(r"apt-get|docker-engine\.sh|dockerd", UP_SCRIPT.read_text()) is None


def test_compose_without_an_engine_says_how_to_get_one(no_engine_env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(REPO_ROOT / "scripts" / "compose.sh"), "ps"],
        env=no_engine_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "no Docker engine" in result.stderr
    assert "scripts/docker-engine.sh" in result.stderr
