"""The demo API key the seeder stores for the gateway."""

import json
import logging
from typing import Any

import pytest

from services.common.seeding import SeedRun
from services.gateway.seeding import ensure_api_key, seed
from services.gateway.settings import GatewaySettings


def test_the_api_key_is_stored_once_and_others_are_kept(stack_clients: dict[str, Any]) -> None:
    secrets = stack_clients["secretsmanager"]
    secret = GatewaySettings().api_keys_secret
    secrets.put_secret_value(SecretId=secret, SecretString='{"keys": ["someone-elses-key"]}')
    assert ensure_api_key(secrets, secret, "demo-key-0123456789") == "created"
    assert ensure_api_key(secrets, secret, "demo-key-0123456789") == "exists"
    stored = json.loads(secrets.get_secret_value(SecretId=secret)["SecretString"])
    assert stored == {"keys": ["someone-elses-key", "demo-key-0123456789"]}


def test_the_key_is_stored_with_or_without_fixtures(
    stack_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STACK_TARGET", "local")
    run = SeedRun(stack_clients, fixtures="never", demo_api_key="demo-key-0123456789")
    assert (seed(run), seed(run)) == (1, 0)
    assert seed(SeedRun(stack_clients, fixtures="always")) == 0, "no key configured, no change"


def test_the_key_never_goes_to_a_real_account(
    stack_clients: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="seed")
    assert seed(SeedRun(stack_clients, fixtures="always", demo_api_key="demo-key-0123456789")) == 0
    secret = GatewaySettings().api_keys_secret
    stored = stack_clients["secretsmanager"].get_secret_value(SecretId=secret)["SecretString"]
    assert "demo-key-0123456789" not in stored
    assert "DEMO_API_KEY ignored" in caplog.text
