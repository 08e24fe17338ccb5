"""``make snapshot-save/-load/-list`` against a real durable Moto server."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.waiting import free_port
from tests.moto_server import client

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "snapshot.sh"


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "durable_moto", "serve", "--host", "127.0.0.1", "--port", str(port)],
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


def snapshot(endpoint: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "AWS_ENDPOINT_URL": endpoint,
        "SNAPSHOT_DIR": str(folder),
        "STACK_TARGET": "local",
    }
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
    make_bucket(endpoint, "demo-ready")
    saved = snapshot(endpoint, folder, "save", "demo")
    assert saved.returncode == 0, saved.stderr
    make_bucket(endpoint, "scribbled-during-the-demo")
    assert "demo.dms" in snapshot(endpoint, folder, "list").stdout
    loaded = snapshot(endpoint, folder, "load", "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert buckets(endpoint) == ["demo-ready"]


def test_names_are_checked(endpoint: str, tmp_path: Path) -> None:
    result = snapshot(endpoint, tmp_path, "save", "../escape")
    assert result.returncode == 2
    assert "NAME=" in result.stderr
    missing = snapshot(endpoint, tmp_path, "load", "nothing-here")
    assert missing.returncode == 2
