"""Run the stack as local processes: ``make dev`` and the e2e suite's default stack.

Each process's output is copied line by line to one sink with a ``name |``
prefix, so interleaved logs stay readable. Every wait is bounded.
"""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import TextIO

from devstack.components import REPO_ROOT, Component, Ports, local_components, stack_environment
from devstack.waiting import StackError, wait_healthy

STOP_GRACE_SECONDS = 10


class ProcessStack:
    """Starts, stops, kills and restarts the components of a local stack."""

    def __init__(
        self,
        ports: Ports,
        data_dir: Path,
        sink: TextIO,
        *,
        components: list[Component] | None = None,
        start_timeout: float = 60,
    ) -> None:
        self.ports = ports
        self.data_dir = data_dir
        self._sink = sink
        self._sink_lock = threading.Lock()
        self._start_timeout = start_timeout
        self._env = stack_environment(ports, data_dir)
        self._components = {c.name: c for c in components or local_components(ports)}
        self._running: dict[str, subprocess.Popen[str]] = {}

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway}"

    @property
    def aws_endpoint_url(self) -> str:
        return self._env["AWS_ENDPOINT_URL"]

    @property
    def scripts_env(self) -> dict[str, str]:
        """What the make targets' scripts need to act on this stack: its Moto's data directory."""
        return {"MOTO_DATA_DIR": self._env["MOTO_DATA_DIR"], "MOTO_PORT": str(self.ports.moto)}

    def up(self) -> None:
        """Start everything in order; a failure stops what already started."""
        (self.data_dir / "moto").mkdir(parents=True, exist_ok=True)
        try:
            for name in self._components:
                self.start(name)
        except BaseException:
            self.down()
            raise

    def start(self, name: str) -> None:
        component = self._components[name]
        if name in self._running and self._running[name].poll() is None:
            return
        process = self._spawn(component)
        if component.one_shot:
            code = process.wait(timeout=self._start_timeout)
            if code != 0:
                raise StackError(f"{name} exited with {code}; its output is above")
            return
        self._running[name] = process
        assert component.health_url is not None
        wait_healthy(
            component.health_url, self._start_timeout, alive=lambda: process.poll() is None
        )

    def stop(self, name: str) -> None:
        """SIGTERM, then SIGKILL after a grace period."""
        process = self._running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self, name: str) -> None:
        """SIGKILL: the crash case, no chance to clean up."""
        process = self._running.pop(name, None)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def restart(self, name: str) -> None:
        self.stop(name)
        self.start(name)

    def recreate(self) -> None:
        """Everything stopped, then started again on the same state (`make down && make up`)."""
        self.down()
        self.up()

    def down(self) -> None:
        for name in reversed(list(self._running)):
            self.stop(name)

    def processes(self) -> dict[str, tuple[Component, int]]:
        """The long-running components that run now, with their pids (for the state file)."""
        return {
            name: (self._components[name], process.pid)
            for name, process in self._running.items()
            if process.poll() is None
        }

    def wait_any_exit(self) -> str:
        """Block until a long-running component exits; returns its name (for ``make dev``)."""
        while True:
            for name, process in self._running.items():
                if process.poll() is not None:
                    return name
            time.sleep(0.5)

    def _spawn(self, component: Component) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            component.argv,
            cwd=REPO_ROOT,
            env=self._env | component.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # Ctrl-C in the terminal reaches us only; we stop them in order
        )
        threading.Thread(
            target=self._copy_output, args=(component.name, process), daemon=True
        ).start()
        return process

    def _copy_output(self, name: str, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        width = max(len(n) for n in self._components)
        for line in process.stdout:
            with self._sink_lock:
                self._sink.write(f"{name:<{width}} | {line}")
                self._sink.flush()


def default_data_dir() -> Path:
    return Path(os.environ.get("MOTOSTACK_DATA_DIR", REPO_ROOT / ".data"))
