"""``make reset`` against a real Moto server: asks first, then wipes and re-seeds."""

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from seed.stack import stack_resources
from services.common.resources import Table
from tests.moto_server import client, moto_server

RESET = Path(__file__).resolve().parents[2] / "scripts" / "reset.sh"


@pytest.fixture
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


def run_reset(endpoint: str, answer: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(RESET)],
        input=answer,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"AWS_ENDPOINT_URL": endpoint, "STACK_TARGET": "local"} | env,
        check=False,
    )


def tables(endpoint: str) -> list[str]:
    names: list[str] = client(endpoint, "dynamodb").list_tables()["TableNames"]
    return names


def make_stray_table(endpoint: str) -> None:
    client(endpoint, "dynamodb").create_table(
        TableName="stray",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
    )


def test_saying_no_changes_nothing(endpoint: str) -> None:
    make_stray_table(endpoint)
    result = run_reset(endpoint, "n\n")
    assert result.returncode == 1
    assert "nothing changed" in result.stdout
    assert tables(endpoint) == ["stray"]


def test_yes_wipes_everything_and_seeds_again(endpoint: str) -> None:
    make_stray_table(endpoint)
    result = run_reset(endpoint, "", YES="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "wiped" in result.stdout
    created = re.search(r"\b(\d+) created", result.stdout)
    assert created is not None, result.stdout
    assert int(created.group(1)) >= len(stack_resources())  # the resources, then fixtures
    assert tables(endpoint) == sorted(r.name for r in stack_resources() if isinstance(r, Table))
