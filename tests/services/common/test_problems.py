from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common.app import create_app
from services.common.errors import Conflict, InvalidField
from services.common.settings import StackSettings


def make_app() -> FastAPI:
    app = create_app(service="test", settings=StackSettings(), routers=[], aws_services=())

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("taken", sku="X-1")

    @app.get("/invalid")
    async def invalid() -> None:
        raise InvalidField("cursor", "is forged")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


def test_domain_errors_become_problems_with_their_extras() -> None:
    client = TestClient(make_app())
    body = client.get("/conflict").json()
    assert (body["status"], body["title"], body["detail"], body["sku"]) == (
        409,
        "Conflict",
        "taken",
        "X-1",
    )
    assert client.get("/invalid").json()["errors"] == [{"field": "cursor", "reason": "is forged"}]


def test_unexpected_errors_hide_their_details() -> None:
    client = TestClient(make_app(), raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


def test_unknown_route_is_a_problem_too() -> None:
    response = TestClient(make_app()).get("/nowhere")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


def test_request_ids_are_echoed_or_made_up() -> None:
    client = TestClient(make_app())
    assert client.get("/healthz", headers={"X-Request-ID": "abc"}).headers["x-request-id"] == "abc"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
