"""Who may write through the gateway: keys from Secrets Manager, cached, compared safely."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.gateway.api_keys import ApiKeys, KeysUnavailable, MissingApiKey, WrongApiKey
from services.gateway.main import app
from services.gateway.seeding import ensure_api_key
from services.gateway.settings import GatewaySettings
from tests.services.gateway.conftest import PROBE

SECRET = GatewaySettings().api_keys_secret
KEY = "a-test-key-0123456789"


@pytest.fixture
def secrets(stack_clients: dict[str, Any]) -> Any:
    ensure_api_key(stack_clients["secretsmanager"], SECRET, KEY)
    return stack_clients["secretsmanager"]


def test_missing_wrong_and_right_keys(secrets: Any) -> None:
    keys = ApiKeys(secrets, SECRET, cache_seconds=30)
    with pytest.raises(MissingApiKey):
        keys.check(None)
    with pytest.raises(WrongApiKey):
        keys.check("not-the-key")
    keys.check(KEY)


def test_a_revoked_key_works_until_the_cache_expires(secrets: Any) -> None:
    now = [0.0]
    keys = ApiKeys(secrets, SECRET, cache_seconds=30, clock=lambda: now[0])
    keys.check(KEY)
    secrets.put_secret_value(SecretId=SECRET, SecretString=json.dumps({"keys": ["new-key"]}))
    now[0] = 29
    keys.check(KEY)
    now[0] = 30
    with pytest.raises(WrongApiKey):
        keys.check(KEY)
    keys.check("new-key")


def test_no_secret_means_no_writes(stack_clients: dict[str, Any]) -> None:
    keys = ApiKeys(stack_clients["secretsmanager"], "no-such-secret", cache_seconds=30)
    with pytest.raises(KeysUnavailable):
        keys.check(KEY)


@pytest.fixture
def gateway(secrets: Any, probe_route: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), ({"X-API-Key": "wrong"}, 403)], ids=["missing", "wrong"]
)
def test_writes_without_a_valid_key_are_refused(
    gateway: TestClient, headers: dict[str, str], status: int
) -> None:
    response = gateway.post(f"/api/{PROBE}", json={}, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert "X-API-Key" in response.json()["detail"]


def test_reads_and_keyed_writes_reach_the_upstream(gateway: TestClient) -> None:
    """No upstream runs here, so getting past auth shows as 503 'probe is unavailable'."""
    read = gateway.get(f"/api/{PROBE}/some-id")
    write = gateway.post(f"/api/{PROBE}", json={}, headers={"X-API-Key": KEY})
    for response in (read, write):
        assert response.status_code == 503
        assert response.json()["detail"].startswith(f"{PROBE} is unavailable")
