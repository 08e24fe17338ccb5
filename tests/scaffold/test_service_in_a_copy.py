"""From a fresh copy of the checkout: ``make new-service NAME=reviews``, then its lint and unit
tests pass there, and ``make dev`` serves /api/reviews/items through the gateway with the
demo key. No hand edit anywhere."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.components import DEMO_API_KEY
from devstack.waiting import free_port, wait_healthy
from services.registry import load
from tests.processes import fresh_env
from tests.scaffold.conftest import copy_checkout, run_in

NEW = ("services/reviews", "tests/services/reviews", "e2e/test_reviews.py")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_checkout(tmp_path_factory.mktemp("clone"))
    out = run_in(root, "scaffold", "new-service", "reviews")
    assert "wrote services/reviews/main.py" in out
    return root


@pytest.mark.timeout(1200)
def test_the_new_service_passes_lint_and_its_own_tests(generated: Path) -> None:
    run_in(generated, "scaffold", "check")
    run_in(generated, "ruff", "check", "--no-cache", ".")
    run_in(generated, "ruff", "format", "--no-cache", "--check", ".")
    run_in(generated, "mypy", *NEW, "services/registry.py", "seed", "scaffold")
    out = run_in(generated, "pytest", "-q", "-p", "no:cacheprovider", "tests/services/reviews")
    assert " passed" in out
    assert "failed" not in out


@pytest.fixture
def dev_stack(generated: Path, tmp_path: Path) -> Iterator[str]:
    """``make dev`` of the copy (``python -m devstack``) on free ports; its gateway's URL."""
    registry = load(generated / "services" / "registry.toml")
    ports = {f"{s.env_prefix}_PORT": str(free_port()) for s in registry.services}
    env = fresh_env(MOTO_PORT=str(free_port()), MOTOSTACK_DATA_DIR=str(tmp_path / "data"), **ports)
    log = (tmp_path / "dev.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack"],
        cwd=generated,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    gateway = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
    try:
        wait_healthy(f"{gateway}/readyz", 240, alive=lambda: process.poll() is None)
        yield gateway
    except BaseException:
        sys.stderr.write((tmp_path / "dev.log").read_text()[-5000:])
        raise
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


@pytest.mark.timeout(600)
def test_make_dev_serves_it_through_the_gateway(dev_stack: str) -> None:
    with httpx.Client(base_url=f"{dev_stack}/api/reviews", timeout=30) as api:
        refused = api.post("/items", json={"name": "no key"})
        assert refused.status_code == 401
        created = api.post(
            "/items", json={"name": "great mug", "attributes": {"stars": 4.5}},
            headers={"X-API-Key": DEMO_API_KEY},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        listed = api.get("/items").json()
        assert [item["name"] for item in listed["items"]] == ["great mug"]
        assert listed["items"][0]["attributes"] == {"stars": 4.5}
    index = httpx.get(f"{dev_stack}/api", timeout=30).json()
    assert "/api/reviews" in index["routes"]
