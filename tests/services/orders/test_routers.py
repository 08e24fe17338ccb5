"""The orders HTTP layer: required headers, replays, problem+json for each refusal."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.orders.main import app
from tests.conftest import internal_headers
from tests.services.orders.conftest import events_sent

BODY = {"customer": "ada@example.com", "lines": [{"sku": "MUG-001", "quantity": 2}]}


@pytest.fixture
def client(stack_clients: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(app, headers=internal_headers(stack_clients["secretsmanager"])) as test_client:
        assert test_client.put("/inventory/MUG-001", json={"available": 3}).status_code == 200
        yield test_client


def place(client: TestClient, body: dict[str, Any], key: str = "key-00000001") -> Any:
    return client.post("/orders", json=body, headers={"Idempotency-Key": key})


def test_an_order_is_created_then_replayed_with_the_same_answer(client: TestClient) -> None:
    first = place(client, BODY)
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"/orders/{first.json()['id']}"
    assert first.headers["idempotent-replayed"] == "false"
    again = place(client, BODY)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/inventory/MUG-001").json() == {"sku": "MUG-001", "available": 1}


def test_the_idempotency_key_is_required(client: TestClient) -> None:
    response = client.post("/orders", json=BODY)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "idempotency-key"


def test_reusing_a_key_for_another_body_is_422(client: TestClient) -> None:
    place(client, BODY)
    other = {**BODY, "lines": [{"sku": "MUG-001", "quantity": 1}]}
    response = place(client, other)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_overselling_is_a_409_naming_the_sku(client: TestClient) -> None:
    response = place(client, {**BODY, "lines": [{"sku": "MUG-001", "quantity": 4}]})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["sku"], problem["available"], problem["requested"]) == ("MUG-001", 3, 4)


def test_unknown_sku_is_422_and_unknown_inventory_404(client: TestClient) -> None:
    response = place(client, {**BODY, "lines": [{"sku": "NOPE-001", "quantity": 1}]})
    assert response.status_code == 422
    assert client.get("/inventory/NOPE-001").status_code == 404


def test_a_customer_with_a_control_separator_is_refused_as_the_document_says(
    client: TestClient,
) -> None:
    """U+001C is whitespace to the document's pattern (found by fuzzing: it was accepted)."""
    placed = place(client, {**BODY, "customer": "ada\x1c@example.com"})
    assert placed.status_code == 422, placed.text
    assert placed.json()["errors"][0]["field"] == "customer"
    listed = client.get("/orders", params={"customer": "ada\x1f@example.com"})
    assert listed.status_code == 422, listed.text


def test_orders_are_listed_per_customer_and_fulfilled_once(client: TestClient) -> None:
    order = place(client, BODY).json()
    listed = client.get("/orders", params={"customer": "ada@example.com"}).json()
    assert [o["id"] for o in listed["items"]] == [order["id"]]
    done = {"receipt": "receipts/1.json", "email_message_id": "m-1"}
    first = client.put(f"/orders/{order['id']}/fulfillment", json=done)
    again = client.put(f"/orders/{order['id']}/fulfillment", json=done)
    assert first.json()["status"] == "FULFILLED"
    assert again.json() == first.json()
    assert client.put("/orders/nope/fulfillment", json=done).status_code == 404


def test_readiness_covers_table_and_topic(client: TestClient) -> None:
    assert client.get("/readyz").json()["checks"] == {"orders_table": "ok", "events_topic": "ok"}


def test_an_order_keeps_the_request_id_it_was_placed_with(client: TestClient) -> None:
    response = client.post(
        "/orders", json=BODY, headers={"Idempotency-Key": "key-00000009", "X-Request-ID": "req-42"}
    )
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["request_id"] == "req-42"
    assert client.get(f"/orders/{order['id']}").json()["request_id"] == "req-42"


def placement_calls(calls: list[str]) -> list[str]:
    """Without the outbox relay's periodic Query, which runs on its own clock."""
    return [call for call in calls if call != "dynamodb:Query"]


def test_placing_an_order_makes_three_aws_calls(client: TestClient, aws_calls: list[str]) -> None:
    """The transaction (key, order, stock), the event, and clearing its outbox mark: no read
    before the transaction, no client or token fetched per request."""
    one = {**BODY, "lines": [{"sku": "MUG-001", "quantity": 1}]}
    assert place(client, one, key="key-00000001").status_code == 201
    events_sent(client)
    aws_calls.clear()
    assert place(client, one, key="key-00000002").status_code == 201
    events_sent(client)
    assert placement_calls(aws_calls) == [
        "dynamodb:TransactWriteItems",
        "sns:PublishBatch",
        "dynamodb:UpdateItem",
    ]


def test_a_replay_reads_the_key_and_the_order(client: TestClient, aws_calls: list[str]) -> None:
    place(client, BODY)
    events_sent(client)
    aws_calls.clear()
    assert place(client, BODY).headers["idempotent-replayed"] == "true"
    assert placement_calls(aws_calls) == [
        "dynamodb:TransactWriteItems",
        "dynamodb:GetItem",
        "dynamodb:GetItem",
    ]
