"""Drive the compose stack for the e2e suite: its own project, its own ports, torn down after."""

import json
import os
import subprocess
import uuid
from typing import Any

from devstack.components import REPO_ROOT
from devstack.waiting import StackError, free_port

COMPOSE = [str(REPO_ROOT / "scripts" / "compose.sh")]


def checkout_project() -> str:
    """This checkout's compose project name, as compose itself resolves it (the
    directory's name, or COMPOSE_PROJECT_NAME)."""
    result = subprocess.run(
        ["docker", "compose", "--project-directory", str(REPO_ROOT), "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    name: str = json.loads(result.stdout)["name"]
    return name


class ComposeStack:
    """A compose project ``<checkout project>-e2e-<id>`` with free host ports and its own
    volume. It builds and runs this checkout's images (``IMAGE_PREFIX``, by default the
    checkout's project name), so another checkout's stack and images are never touched."""

    def __init__(self, project: str | None = None, *, timeout: float = 600) -> None:
        base = checkout_project()
        self.project = project or f"{base}-e2e-{uuid.uuid4().hex[:8]}"
        self.moto_port = free_port()
        self.gateway_port = free_port()
        self._timeout = timeout
        self._env = os.environ | {
            "MOTO_PORT": str(self.moto_port),
            "GATEWAY_PORT": str(self.gateway_port),
            "IMAGE_PREFIX": os.environ.get("IMAGE_PREFIX") or base,
        }

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def aws_endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def scripts_env(self) -> dict[str, str]:
        """What the make targets' scripts need to act on this stack: its project and ports."""
        return {"COMPOSE_PROJECT_NAME": self.project, "MOTO_PORT": str(self.moto_port)}

    def up(self) -> None:
        try:
            self._compose("up", "--build", "--wait", "--quiet-pull")
        except BaseException:
            self._print_logs()
            self.down()
            raise

    def start(self, name: str) -> None:
        self._compose("up", "--wait", "--no-deps", name)

    def stop(self, name: str) -> None:
        self._compose("stop", name)

    def kill(self, name: str) -> None:
        self._compose("kill", "-s", "SIGKILL", name)

    def scale(self, name: str, replicas: int) -> None:
        self._compose("up", "--wait", "--no-deps", "--scale", f"{name}={replicas}", name)

    def restart(self, name: str) -> None:
        self._compose("restart", name)
        self._compose("up", "--wait", "--no-deps", name)

    def recreate(self) -> None:
        """`make down && make up`: containers removed, the Moto volume kept."""
        self._compose("down", "--timeout", "30")
        self._compose("up", "--wait")

    def inspect(self) -> list[dict[str, Any]]:
        """``docker inspect`` of the project's containers: how they really run."""
        ids = subprocess.run(
            ["docker", "compose", "--project-name", self.project, "ps", "--all", "--quiet"],
            cwd=REPO_ROOT,
            env=self._env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.split()
        inspected = subprocess.run(
            ["docker", "inspect", *ids], capture_output=True, text=True, timeout=60, check=True
        )
        containers: list[dict[str, Any]] = json.loads(inspected.stdout)
        return containers

    def down(self) -> None:
        self._compose("down", "--volumes", "--remove-orphans", "--timeout", "10", check=False)

    def _print_logs(self) -> None:
        self._compose("logs", "--no-color", "--tail", "100", check=False)

    def _compose(self, *args: str, check: bool = True) -> None:
        command = [*COMPOSE, "--project-name", self.project, *args]
        result = subprocess.run(
            command, env=self._env, cwd=REPO_ROOT, timeout=self._timeout, check=False
        )
        if check and result.returncode != 0:
            raise StackError(f"{' '.join(command[1:])} failed with {result.returncode}")
