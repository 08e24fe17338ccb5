"""The seeder as a process: how it ends when AWS goes away under it."""

import subprocess
import sys
from collections.abc import Iterator

import pytest

from devstack.components import REPO_ROOT
from devstack.waiting import free_port
from tests.moto_server import moto_server
from tests.processes import fresh_env


@pytest.fixture
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def test_an_endpoint_lost_mid_run_is_one_clear_line_and_exit_2(endpoint: str) -> None:
    """DynamoDB answers (so the wait passes and tables are made); every other service's
    endpoint refuses connections, as a Moto that died mid-run does."""
    refused = f"http://127.0.0.1:{free_port()}"
    run = subprocess.run(
        [sys.executable, "-m", "seed"],
        cwd=REPO_ROOT,
        env=fresh_env(
            STACK_TARGET="local",
            AWS_ENDPOINT_URL=refused,
            AWS_ENDPOINT_URL_DYNAMODB=endpoint,
            AWS_REGION="us-east-1",
            SEED_WAIT_SECONDS="5",
        ),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if "stopped answering" in line]
    assert len(errors) == 1, output
    assert refused in errors[0]
