"""Which stack the suite talks to, and what it may do to it.

* ``STACK_URL`` set: an already running stack (compose, local or real AWS). The
  suite only talks HTTP to it; tests that stop or kill components are skipped.
* otherwise ``E2E_STACK=local`` (default): local processes on free ports with
  temporary state (their output goes to ``E2E_STACK_LOG`` when set);
  ``E2E_STACK=compose``: a compose project of its own.
"""

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from devstack.components import Ports
from devstack.compose import ComposeStack
from devstack.local import ProcessStack
from devstack.waiting import free_port


class Stack(Protocol):
    @property
    def gateway_url(self) -> str: ...


@runtime_checkable
class ControllableStack(Stack, Protocol):
    @property
    def aws_endpoint_url(self) -> str: ...

    @property
    def scripts_env(self) -> dict[str, str]: ...

    def start(self, name: str) -> None: ...
    def stop(self, name: str) -> None: ...
    def kill(self, name: str) -> None: ...
    def restart(self, name: str) -> None: ...
    def recreate(self) -> None: ...


@runtime_checkable
class ScalableStack(ControllableStack, Protocol):
    def scale(self, name: str, replicas: int) -> None: ...


class ExternalStack:
    def __init__(self, url: str) -> None:
        self.gateway_url = url.rstrip("/")


@contextmanager
def stack_for_tests() -> Iterator[Stack]:
    """The stack described by the environment, torn down afterwards if we started it."""
    url = os.environ.get("STACK_URL")
    if url:
        yield ExternalStack(url)
        return
    kind = os.environ.get("E2E_STACK", "local")
    if kind == "compose":
        compose = ComposeStack()
        compose.up()
        try:
            yield compose
        finally:
            compose.down()
        return
    if kind != "local":
        raise ValueError(f"E2E_STACK must be local or compose, not {kind!r}")
    with tempfile.TemporaryDirectory(prefix="motostack-e2e-") as data_dir:
        ports = Ports.from_named({name: free_port() for name in Ports().named()})
        # E2E_STACK_LOG keeps the processes' output where a failed run can be read.
        log_path = Path(os.environ.get("E2E_STACK_LOG") or Path(data_dir) / "stack.log")
        with log_path.open("w") as log:
            local = ProcessStack(ports, Path(data_dir), log)
            try:
                local.up()
                yield local
            except BaseException:
                sys.stderr.write(log_path.read_text()[-20000:])
                raise
            finally:
                local.down()
