"""Copies of this checkout for the generator to change, and commands run inside them.

A copy is what a fresh clone holds, plus what a developer's checkout already has and
a clone would only rebuild: this checkout's ``.venv`` (linked, so ``make`` and
``scripts/lint.sh`` run in the copy without bootstrapping) and mypy's cache (copied:
mypy re-checks every file whose contents differ, so a warm cache changes the time,
never the verdict). A copy runs what the make targets run (``python -m scaffold …``,
``python -m devstack``), not ``make`` itself: make bootstraps, and a bootstrap in the copy
would reinstall the shared ``.venv`` with durable Moto's editable install pointing into it.
"""

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.waiting import free_port, wait_healthy
from scaffold.checks import REPO_ROOT
from services.registry import load
from tests.processes import fresh_env

INTEGRATION = ("tests/scaffold/test_service_in_a_copy.py", "tests/scaffold/test_example.py")
"""The tests that copy the checkout; a copy's own test run leaves them out (no recursion)."""


NOT_COPIED = frozenset({".git", ".venv", ".data", "__pycache__", ".mypy_cache", ".ruff_cache"})
"""What a tree that is not a git checkout (a copy of one) holds beyond its sources."""


def _files(root: Path) -> list[str]:
    """The files git knows of (tracked, or new and not ignored); in a plain copy, all of its
    files outside caches and virtualenvs."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
    )
    if listed.returncode == 0:
        return list(filter(None, listed.stdout.decode().split("\0")))
    return [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not NOT_COPIED & set(path.relative_to(root).parts)
    ]


def copy_checkout(destination: Path, *, tools: bool = False) -> Path:
    """This checkout's files as a fresh clone has them; with ``tools``, also its ``.venv``
    (linked) and mypy cache (copied)."""
    for name in _files(REPO_ROOT):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    if tools:
        (destination / ".venv").symlink_to(REPO_ROOT / ".venv", target_is_directory=True)
        if (REPO_ROOT / ".mypy_cache").is_dir():
            shutil.copytree(REPO_ROOT / ".mypy_cache", destination / ".mypy_cache")
    return destination


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run_in(root: Path, *argv: str, timeout: float = 600, env: dict[str, str] | None = None) -> str:
    """Run a tool of this virtualenv in ``root``; fail with its output when it fails."""
    return run_command(root, [sys.executable, "-m", *argv], timeout=timeout, env=env)


def run_command(
    root: Path, argv: list[str], *, timeout: float = 600, env: dict[str, str] | None = None
) -> str:
    """Run ``argv`` in ``root`` without this process's AWS or stack settings, plus ``env``;
    fail with its output when it fails."""
    result = subprocess.run(
        argv,
        cwd=root,
        env=fresh_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{' '.join(argv)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def passed(pytest_output: str) -> int:
    """How many tests a ``pytest -q`` run reports as passed (0 if it says nothing)."""
    summary = pytest_output.strip().splitlines()[-1] if pytest_output.strip() else ""
    assert "failed" not in summary, pytest_output[-5000:]
    assert "error" not in summary, pytest_output[-5000:]
    words = summary.replace(",", " ").split()
    return int(words[words.index("passed") - 1]) if "passed" in words else 0


@contextmanager
def dev_stack(root: Path, data_dir: Path) -> Iterator[dict[str, str]]:
    """``make dev`` of the copy at ``root`` (``python -m devstack``) on free ports, until the
    gateway is ready; yields the environment a client of it needs (``STACK_URL``,
    ``AWS_ENDPOINT_URL``)."""
    registry = load(root / "services" / "registry.toml")
    ports = {f"{s.env_prefix}_PORT": str(free_port()) for s in registry.services}
    moto = str(free_port())
    env = fresh_env(MOTO_PORT=moto, MOTOSTACK_DATA_DIR=str(data_dir), **ports)
    log_path = data_dir.with_suffix(".log")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        gateway = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
        try:
            wait_healthy(f"{gateway}/readyz", 240, alive=lambda: process.poll() is None)
            yield {"STACK_URL": gateway, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto}"}
        except BaseException:
            sys.stderr.write(log_path.read_text()[-5000:])
            raise
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
