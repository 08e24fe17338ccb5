"""The page's writes get the demo key only from the gateway's own page, on loopback, locally."""

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.datastructures import Headers

from services.gateway.demo.page_auth import PageKeyMiddleware, from_own_page
from services.gateway.demo.settings import DemoSettings

OWN = {"host": "localhost:8080", "origin": "http://localhost:8080", "sec-fetch-site": "same-origin"}
IPV4 = {"host": "127.0.0.1:9", "origin": "http://127.0.0.1:9"}


@pytest.mark.parametrize(
    ("method", "path", "headers", "expected"),
    [
        ("POST", "/api/orders", OWN, True),
        (
            "POST",
            "/api/orders",
            OWN | IPV4,
            True,
        ),
        ("POST", "/api/orders", OWN | {"host": "[::1]:8080", "origin": "http://[::1]:8080"}, True),
        ("GET", "/api/orders", OWN, False),  # reads need no key
        ("POST", "/flow", OWN, False),  # only the public API
        ("POST", "/api/orders", OWN | {"sec-fetch-site": "cross-site"}, False),  # CSRF
        ("POST", "/api/orders", OWN | {"sec-fetch-site": "same-site"}, False),
        ("POST", "/api/orders", {k: v for k, v in OWN.items() if k != "sec-fetch-site"}, False),
        ("POST", "/api/orders", OWN | {"origin": "http://evil.example"}, False),
        ("POST", "/api/orders", {k: v for k, v in OWN.items() if k != "origin"}, False),
        ("POST", "/api/orders", OWN | {"origin": "https://localhost:8080"}, False),
        # DNS rebinding: the foreign page's origin *is* the host it asks for, but not loopback.
        (
            "POST",
            "/api/orders",
            OWN | {"host": "evil.example:8080", "origin": "http://evil.example:8080"},
            False,
        ),
        ("POST", "/api/orders", OWN | {"x-api-key": "someone-elses"}, False),
    ],
)
def test_only_same_origin_loopback_writes_qualify(
    method: str, path: str, headers: dict[str, str], expected: bool
) -> None:
    assert from_own_page(method, path, "http", Headers(headers)) is expected


def _echo_app(key: str) -> TestClient:
    app = FastAPI()

    @app.post("/api/orders")
    async def echo(request: Request) -> dict[str, str | None]:
        return {"key": request.headers.get("x-api-key")}

    app.add_middleware(PageKeyMiddleware, key=key)
    return TestClient(app, base_url="http://localhost:8080")


def test_the_middleware_adds_the_key_to_own_page_writes_only() -> None:
    client = _echo_app("local-demo-key-0123")
    own = {"origin": "http://localhost:8080", "sec-fetch-site": "same-origin"}
    assert client.post("/api/orders", headers=own).json() == {"key": "local-demo-key-0123"}
    foreign = {"origin": "http://evil.example", "sec-fetch-site": "cross-site"}
    assert client.post("/api/orders", headers=foreign).json() == {"key": None}


def test_no_page_key_on_real_aws_whatever_the_environment_says() -> None:
    key = "local-demo-key-0123"
    assert DemoSettings(stack_target="local", demo_api_key=key).page_key() == key
    assert DemoSettings(stack_target="local", demo_api_key=None).page_key() is None
    on_aws = DemoSettings(stack_target="aws", allow_real_aws=True, demo_api_key=key)
    assert on_aws.page_key() is None
    assert not on_aws.inspects_aws
