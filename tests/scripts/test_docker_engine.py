"""``scripts/docker-engine.sh`` starting an engine, with stand-ins for ``dockerd`` and
``docker`` first on PATH: the real engine, if any, is left alone."""

import os
import signal
import subprocess
from pathlib import Path

import pytest

from devstack.components import REPO_ROOT
from tests.processes import fresh_env

SCRIPT = REPO_ROOT / "scripts" / "docker-engine.sh"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the script starts dockerd as root only")

# `docker` answers once the stand-in engine has written its "socket"; compose is there.
DOCKER = """#!/bin/sh
case "$1" in
  info) [ -f "$ENGINE_UP" ] ;;
  version) echo 20.10.24 ;;
  compose) echo 2.40.3 ;;
esac
"""


def run_script(tmp_path: Path, dockerd: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in {"docker": DOCKER, "dockerd": dockerd}.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = fresh_env(
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        ENGINE_UP=str(tmp_path / "engine-up"),
        DOCKERD_PID_FILE=str(tmp_path / "docker.pid"),
        DOCKERD_LOG=str(tmp_path / "dockerd.log"),
        DOCKERD_START_TIMEOUT="5",
    )
    return subprocess.run(
        [str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_pid_file_naming_another_live_process_is_removed(tmp_path: Path) -> None:
    """After a reboot the pid an old engine left may belong to another process: the
    engine must start anyway (a stale pid file once made CI fail before any test)."""
    other = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / "docker.pid").write_text(str(other.pid))
        refuses_a_pid_file = """#!/bin/sh
[ -f "$DOCKERD_PID_FILE" ] && { echo "pid file found"; exit 1; }
touch "$ENGINE_UP"
"""
        result = run_script(tmp_path, refuses_a_pid_file)
    finally:
        other.kill()
        other.wait()
    assert result.returncode == 0, result.stderr
    assert "no longer running" in result.stderr
    assert "dockerd answered after" in result.stderr


def test_an_engine_that_dies_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    result = run_script(tmp_path, '#!/bin/sh\necho "failed to start daemon: no storage"\nexit 1\n')
    assert result.returncode == 1
    assert "dockerd exited while starting" in result.stderr
    assert "failed to start daemon: no storage" in result.stderr


def test_an_engine_alive_but_silent_is_given_up_on_after_the_timeout(tmp_path: Path) -> None:
    result = run_script(tmp_path, '#!/bin/sh\necho $$ >"$DOCKERD_PID_FILE"\nexec sleep 40\n')
    os.kill(int((tmp_path / "docker.pid").read_text()), signal.SIGKILL)
    assert result.returncode == 1
    assert "did not answer within 5 s" in result.stderr
