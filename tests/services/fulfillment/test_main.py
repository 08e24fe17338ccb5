"""The worker process itself: started by uvicorn, stopped by SIGTERM, exits cleanly."""

import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from devstack.components import REPO_ROOT
from devstack.waiting import free_port, wait_healthy
from seed.provision import ensure
from seed.stack import AWS_SERVICES, stack_resources
from tests.moto_server import client, moto_server
from tests.processes import fresh_env


@pytest.fixture
def provisioned_server() -> Iterator[str]:
    with moto_server() as url:
        clients = {name: client(url, name) for name in AWS_SERVICES}
        for resource in stack_resources():
            ensure(resource, clients, "us-east-1")
        yield url


def test_sigterm_stops_the_worker_cleanly(provisioned_server: str) -> None:
    port = free_port()
    env = fresh_env(
        STACK_TARGET="local",
        AWS_ENDPOINT_URL=provisioned_server,
        AWS_REGION="us-east-1",
        WORKER_WAIT_SECONDS="2",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "services.fulfillment.main:app", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/healthz", 30, alive=lambda: worker.poll() is None)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        worker.kill()
    # After its graceful shutdown uvicorn re-raises the signal: the conventional SIGTERM exit.
    assert worker.returncode in {0, -signal.SIGTERM}, output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output
