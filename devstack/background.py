"""``make up`` without Docker, and ``make down|ps|logs`` for a local stack.

``start`` runs the same supervisor as ``make dev`` (``python -m devstack``) detached, in
its own session with its output in ``.data/stack.log``, and returns once the supervisor
has recorded the stack as up (every component healthy, the seeder done) in
``.data/stack.json``. ``stop`` signals the supervisor, which stops its components in
order, then checks that every recorded process ended, killing any that did not.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from devstack.components import REPO_ROOT
from devstack.local import STOP_GRACE_SECONDS
from devstack.state import ProcessRecord, StackState, is_running, state_path

START_TIMEOUT_SECONDS = 300
"""Long enough for a first start on a slow machine; the seeder has its own deadline."""
STOP_TIMEOUT_SECONDS = STOP_GRACE_SECONDS * 6 + 10
"""The supervisor stops its components one by one, each within the grace period."""


class BackgroundError(RuntimeError):
    pass


def running(data_dir: Path) -> StackState | None:
    """The local stack of this data directory, when its supervisor still runs."""
    state = StackState.read(state_path(data_dir))
    if state is None or not is_running(state.supervisor):
        return None
    return state


def start(data_dir: Path, say: Callable[[str], None]) -> StackState:
    """Start the supervisor detached and wait until it reports the stack up."""
    if (state := running(data_dir)) is not None:
        say(f"a local stack already runs (supervisor pid {state.supervisor.pid}); make down first")
        return state
    _clear_leftovers(data_dir, say)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "stack.log"
    with log_path.open("w") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "devstack", "--log", str(log_path)],
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives `make up` and the terminal it ran in
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        state = StackState.read(state_path(data_dir))
        if state is not None and state.supervisor.pid == supervisor.pid and state.ready:
            return state
        if supervisor.poll() is not None:
            raise BackgroundError(
                f"the local stack did not start (exit {supervisor.returncode}); "
                f"the end of {log_path}:\n{_tail(log_path)}"
            )
        time.sleep(0.2)
    supervisor.terminate()
    raise BackgroundError(f"the local stack was not up after {START_TIMEOUT_SECONDS} s: {log_path}")


def stop(data_dir: Path, say: Callable[[str], None]) -> None:
    """Stop the supervisor and make sure no process of the stack is left."""
    state = StackState.read(state_path(data_dir))
    if state is None:
        say("no local stack runs")
        return
    if is_running(state.supervisor):
        os.kill(state.supervisor.pid, signal.SIGTERM)
        _wait_gone([state.supervisor], STOP_TIMEOUT_SECONDS)
    _clear_leftovers(data_dir, say)
    say("local stack stopped")


def status(data_dir: Path) -> str:
    """A table of the stack's processes: pid, running or not, and what its probe says."""
    state = StackState.read(state_path(data_dir))
    if state is None:
        return "no local stack runs"
    supervisor = "running" if is_running(state.supervisor) else "gone"
    lines = [
        f"local stack: supervisor pid {state.supervisor.pid} ({supervisor}), "
        f"{'up' if state.ready else 'starting'}; log {state.log or 'in its terminal'}",
        f"{'NAME':<12} {'PID':>7}  STATE",
    ]
    for name, record in state.processes.items():
        lines.append(f"{name:<12} {record.pid:>7}  {_describe(record)}")
    return "\n".join(lines)


def follow_logs(data_dir: Path, *, follow: bool) -> None:
    """The last lines of the supervisor's log, then (``follow``) whatever it writes next."""
    state = StackState.read(state_path(data_dir))
    if state is None:
        raise BackgroundError("no local stack runs")
    log = state.log
    if log is None:
        raise BackgroundError("this local stack writes to the terminal it runs in (make dev)")
    os.execvp("tail", ["tail", "-n", "100", *(["-f"] if follow else []), log])  # noqa: S606


def _describe(record: ProcessRecord) -> str:
    if not is_running(record):
        return "exited"
    if record.health_url is None:
        return "running"
    try:
        answer = httpx.get(record.health_url, timeout=2)
    except httpx.HTTPError as error:
        return f"running, probe failed ({type(error).__name__})"
    return "running, healthy" if answer.status_code == 200 else f"running, {answer.status_code}"


def _clear_leftovers(data_dir: Path, say: Callable[[str], None]) -> None:
    """Kill what a supervisor that died (kill -9, a crash) left running, then forget it."""
    path = state_path(data_dir)
    state = StackState.read(path)
    if state is None:
        path.unlink(missing_ok=True)
        return
    leftovers = state.live_processes()
    for name, record in leftovers.items():
        say(f"{name} (pid {record.pid}) was still running: killing it")
        os.kill(record.pid, signal.SIGKILL)
    _wait_gone(list(leftovers.values()), 10)
    path.unlink(missing_ok=True)


def _wait_gone(records: list[ProcessRecord], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(is_running(r) for r in records) and time.monotonic() < deadline:
        time.sleep(0.1)


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
