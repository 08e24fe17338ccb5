import asyncio
import json
import logging

import pytest
from botocore.exceptions import EndpointConnectionError
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from starlette.types import Message

from services.common.app import create_app
from services.common.errors import Conflict, InvalidField
from services.common.problems import PROBLEM_JSON, problem_responses
from services.common.settings import StackSettings


class Echo(BaseModel):
    n: int = Field(strict=True)


def echo_router() -> APIRouter:
    """An included router, as every service's routes are."""
    router = APIRouter()

    @router.get("/echo")
    async def echo_get() -> dict[str, int]:
        return {"n": 1}

    @router.post("/echo")
    async def echo_post(body: Echo) -> Echo:
        return body

    return router


def make_app() -> FastAPI:
    app = create_app(
        service="test",
        settings=StackSettings(),
        routers=[echo_router()],
        aws_services=(),
        internal_writes=False,
    )

    @app.get("/conflict", responses=problem_responses(**{"409": "Taken"}))
    async def conflict() -> None:
        raise Conflict("taken", sku="X-1")

    @app.get("/invalid")
    async def invalid() -> None:
        raise InvalidField("cursor", "is forged")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/aws-down")
    async def aws_down() -> None:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")

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


def test_a_documented_problem_is_problem_json_with_its_schema() -> None:
    """As answered: the document said a 409 could be ``application/json`` (it never is) and
    gave its ``application/problem+json`` no schema, so a fuzzer checked none of its bodies."""
    app = make_app()
    documented = app.openapi()["paths"]["/conflict"]["get"]["responses"]["409"]
    assert documented["content"] == {
        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert "Problem" in app.openapi()["components"]["schemas"]
    answered = TestClient(app).get("/conflict")
    assert (answered.status_code, answered.headers["content-type"]) == (409, PROBLEM_JSON)


def test_unexpected_errors_hide_their_details_and_are_logged_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The error ends here: it is not raised again for the server to log a second time
    (the test client would re-raise it), and one JSON log line holds its traceback."""
    client = TestClient(make_app())
    capsys.readouterr()
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert "RuntimeError: secret internals" in errors[0]["exc_info"]


def test_an_unreachable_aws_endpoint_is_503_with_retry_after() -> None:
    response = TestClient(make_app()).get("/aws-down")
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert "EndpointConnectionError" in response.json()["detail"]


def test_invalid_json_is_400_and_titles_follow_the_status() -> None:
    client = TestClient(make_app())
    response = client.post("/echo", content=b"{oops", headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["title"]) == (400, "Bad Request")
    invalid = client.post("/echo", json={"n": "1"})
    assert (invalid.status_code, invalid.json()["title"]) == (422, "Unprocessable Content")
    assert client.get("/invalid").json()["title"] == "Unprocessable Content"


def test_head_options_and_405_cover_every_method_of_a_path() -> None:
    client = TestClient(make_app())
    head = client.head("/echo")
    assert (head.status_code, head.content) == (200, b"")
    options = client.options("/echo")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    refused = client.delete("/echo")
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert refused.headers["content-type"] == "application/problem+json"


def test_unknown_route_is_a_problem_too() -> None:
    response = TestClient(make_app()).get("/nowhere")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


def test_request_ids_are_echoed_or_made_up() -> None:
    client = TestClient(make_app())
    assert client.get("/healthz", headers={"X-Request-ID": "abc"}).headers["x-request-id"] == "abc"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


@pytest.mark.parametrize("path", ["/echo", "/raw-body"])
def test_a_client_leaving_before_its_body_arrived_is_a_400_not_a_logged_bug(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    """It announced 1,000 bytes, sent 10 and left (the server says ``http.disconnect``):
    whether FastAPI reads the body for a model or the route reads it itself."""
    app = make_app()

    @app.post("/raw-body")
    async def raw_body(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"host", b"x"), (b"content-type", b"application/json"),
                    (b"content-length", b"1000")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    arriving: list[Message] = [{"type": "http.request", "body": b'{"n": 1, ', "more_body": True}]
    sent: list[Message] = []

    async def receive() -> Message:
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    with caplog.at_level(logging.ERROR):
        asyncio.run(app(scope, receive, send))
    assert [
        record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR
    ] == []
    assert sent[0]["status"] == 400
