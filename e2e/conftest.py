"""Fixtures for the black-box suite: everything goes through the gateway with httpx."""

import os
from collections.abc import Iterator

import httpx
import pytest

from devstack.components import DEMO_API_KEY
from e2e.emulated_aws import EmulatedAws
from e2e.stacks import ControllableStack, ExternalStack, ScalableStack, Stack, stack_for_tests

API_KEY = os.environ.get("E2E_API_KEY") or os.environ.get("DEMO_API_KEY") or DEMO_API_KEY


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with stack_for_tests() as running:
        yield running


@pytest.fixture
def controlled_stack(stack: Stack) -> ControllableStack:
    """The stack, when the suite may stop and kill its components."""
    if isinstance(stack, ExternalStack):
        pytest.skip("STACK_URL stacks are not ours to stop or kill")
    assert isinstance(stack, ControllableStack)
    return stack


@pytest.fixture
def scalable_stack(stack: Stack) -> ScalableStack:
    """The stack, when it can run several replicas of a service (compose)."""
    if not isinstance(stack, ScalableStack):
        pytest.skip("only a compose stack runs replicas")
    return stack


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    """Through the gateway, with the API key every write needs."""
    with httpx.Client(
        base_url=f"{stack.gateway_url}/api",
        timeout=30,
        headers={"X-API-Key": API_KEY},
        limits=httpx.Limits(max_connections=64),
    ) as client:
        yield client


@pytest.fixture
def anonymous_api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{stack.gateway_url}/api", timeout=30) as client:
        yield client


@pytest.fixture
def emulated_aws(stack: Stack) -> EmulatedAws:
    """The stack's Moto, to check what a client cannot see (receipts, sent e-mails)."""
    endpoint = getattr(stack, "aws_endpoint_url", None) or os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        pytest.skip("no emulated AWS endpoint to look into (set AWS_ENDPOINT_URL)")
    return EmulatedAws(endpoint)
