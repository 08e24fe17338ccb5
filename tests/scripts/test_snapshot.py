"""``make snapshot-save/-load/-list`` against a real durable Moto server."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.waiting import free_port
from tests.moto_server import client

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "snapshot.sh"


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    """A durable Moto as `make moto` runs it: on loopback, state in MOTO_DATA_DIR."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "durable_moto", "serve", "--port", str(port)],
        env=os.environ | {"MOTO_DATA_DIR": str(tmp_path / "moto")},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{url}/moto-api/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    server.kill()
    server.wait()


def snapshot(
    endpoint: str | None, folder: Path, *args: str, data_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The script as `make snapshot-*` runs it; ``endpoint=None``: found through ``data_dir``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("AWS_ENDPOINT_URL", "MOTO_DATA_DIR", "DURABLE_MOTO_ADMIN_TOKEN")
    }
    env |= {
        "SNAPSHOT_DIR": str(folder),
        "STACK_TARGET": "local",
        # Never some compose stack that happens to run on this machine.
        "COMPOSE_PROJECT_NAME": f"motostack-test-{uuid.uuid4().hex[:8]}",
    }
    env |= {"AWS_ENDPOINT_URL": endpoint} if endpoint else {}
    env |= {"MOTO_DATA_DIR": str(data_dir)} if data_dir else {}
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def buckets(endpoint: str) -> list[str]:
    return [bucket["Name"] for bucket in client(endpoint, "s3").list_buckets()["Buckets"]]


def make_bucket(endpoint: str, name: str) -> None:
    client(endpoint, "s3").create_bucket(Bucket=name)


def test_save_change_load_restores_the_saved_state(endpoint: str, tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    data_dir = tmp_path / "moto"
    make_bucket(endpoint, "demo-ready")
    saved = snapshot(None, folder, "save", "demo", data_dir=data_dir)  # found via its data dir
    assert saved.returncode == 0, saved.stderr
    make_bucket(endpoint, "scribbled-during-the-demo")
    assert "demo.dms" in snapshot(endpoint, folder, "list").stdout
    loaded = snapshot(endpoint, folder, "load", "demo", data_dir=data_dir)  # the token from there
    assert loaded.returncode == 0, loaded.stderr
    assert buckets(endpoint) == ["demo-ready"]


def test_without_the_token_nothing_is_replaced(endpoint: str, tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    make_bucket(endpoint, "kept")
    assert snapshot(None, folder, "save", "one", data_dir=tmp_path / "moto").returncode == 0
    make_bucket(endpoint, "also-kept")
    refused = snapshot(endpoint, folder, "load", "one", data_dir=tmp_path / "elsewhere")
    assert refused.returncode != 0
    assert "admin token" in refused.stderr
    assert sorted(buckets(endpoint)) == ["also-kept", "kept"]


def test_no_server_for_the_data_directory_is_said_plainly(tmp_path: Path) -> None:
    result = snapshot(None, tmp_path / "snapshots", "save", "x", data_dir=tmp_path / "nothing")
    assert result.returncode != 0
    assert "no durable-moto server is running for" in result.stderr


def test_names_are_checked(endpoint: str, tmp_path: Path) -> None:
    result = snapshot(endpoint, tmp_path, "save", "../escape")
    assert result.returncode == 2
    assert "NAME=" in result.stderr
    missing = snapshot(endpoint, tmp_path, "load", "nothing-here")
    assert missing.returncode == 2
