"""The demo as installed on a gateway that targets real AWS (tests run with STACK_TARGET=aws):
no page key even when DEMO_API_KEY is set, no inspection views, assets still served."""

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from services.common.problems import install_problem_handlers
from services.gateway import demo


@pytest.fixture
def gateway_on_aws(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("DEMO_API_KEY", "local-demo-key-0123")  # a careless deployment's
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/api/orders")
    async def echo(request: Request) -> dict[str, str | None]:
        return {"key": request.headers.get("x-api-key")}

    demo.install(app)
    return TestClient(app, base_url="http://localhost:8080")


def test_a_same_origin_write_on_aws_gets_no_key(gateway_on_aws: TestClient) -> None:
    own = {"origin": "http://localhost:8080", "sec-fetch-site": "same-origin"}
    assert gateway_on_aws.post("/api/orders", headers=own).json() == {"key": None}


@pytest.mark.parametrize("path", ["/flow", "/aws"])
def test_the_inspection_views_do_not_exist_on_aws(gateway_on_aws: TestClient, path: str) -> None:
    response = gateway_on_aws.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "local stacks only" in response.json()["detail"]


def test_every_asset_is_served_by_the_stack(gateway_on_aws: TestClient) -> None:
    """No CDN: the pages load nothing from another origin."""
    for asset in ("/static/app.css", "/static/app.js"):
        response = gateway_on_aws.get(asset)
        assert response.status_code == 200
        assert "http://" not in response.text
        assert "https://" not in response.text
    page = gateway_on_aws.get("/basket")
    assert page.status_code == 200
    assert "https://" not in page.text
    assert "http://" not in page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
