"""Fixtures for the black-box suite: everything goes through the gateway with httpx."""

import os
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from devstack.components import DEMO_API_KEY
from e2e.browser import (
    ARTIFACTS,
    FLAGS,
    INSTALL_HINT,
    artifact_name,
    browser_required,
    chromium_executable,
)
from e2e.emulated_aws import EmulatedAws
from e2e.stacks import ControllableStack, ExternalStack, ScalableStack, Stack, stack_for_tests

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test, so the page fixture knows it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    """Debian's Chromium, headless, with a fresh profile; skipped (or failed) when absent."""
    executable = chromium_executable()
    if executable is None:
        if browser_required():
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(
    browser: "Browser", stack: Stack, request: pytest.FixtureRequest
) -> Generator["Page", None, None]:
    """A page in a context of its own (empty storage), on the stack's gateway; when the test
    fails, a screenshot of it is kept under ``.data/artifacts/``."""
    context = browser.new_context(
        base_url=stack.gateway_url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{artifact_name(request.node.nodeid)}.png"
        opened.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failing page: {path}")
    context.close()
