"""Unit tests run against in-process Moto: fast, no network, real AWS semantics.

They run configured exactly as for real AWS (``STACK_TARGET=aws``,
``ALLOW_REAL_AWS=1``, no endpoint variable), set here before any service module
reads its settings; in-process Moto stands in for the account. That is the
proof that only the standard SDK configuration decides where calls go.
"""

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from seed.internal_token import ensure_internal_token
from seed.provision import ensure
from seed.stack import AWS_SERVICES, stack_resources
from services.common.aws import aws_client
from services.common.internal import INTERNAL_TOKEN_HEADER, internal_token_secret, parse_token
from services.common.settings import StackSettings

for _name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[_name]
os.environ |= {"STACK_TARGET": "aws", "ALLOW_REAL_AWS": "1"}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process Moto with fake credentials (never a developer's real ones)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield


@pytest.fixture
def clients(aws: None) -> dict[str, Any]:
    """One client per AWS service the seeder uses, on in-process Moto, nothing created yet."""
    return {name: aws_client(name, StackSettings()) for name in AWS_SERVICES}


@pytest.fixture
def stack_clients(clients: dict[str, Any]) -> dict[str, Any]:
    """Every resource of the stack, created the way the seeder creates them."""
    for resource in stack_resources():
        ensure(resource, clients, "us-east-1")
    ensure_internal_token(clients["secretsmanager"], internal_token_secret(StackSettings()).name)
    return clients


def internal_headers(secretsmanager: Any) -> dict[str, str]:
    """What a caller inside the stack sends with writes to a service's own port."""
    secret = secretsmanager.get_secret_value(SecretId=internal_token_secret(StackSettings()).name)
    return {INTERNAL_TOKEN_HEADER: parse_token(secret["SecretString"])}


@pytest.fixture
def mangum_loop() -> Iterator[None]:
    """Mangum runs the app on ``asyncio.get_event_loop()``, as in the Lambda runtime's main
    thread; earlier tests may have closed that loop, so each handler test gets a fresh one."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    asyncio.set_event_loop(None)
    loop.close()
