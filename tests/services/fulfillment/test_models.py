"""Fulfilling an order once, whatever SQS and the outbox deliver twice."""

import threading
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.fulfillment import models
from services.fulfillment.errors import PoisonMessage, Superseded, TryLater
from services.fulfillment.models import Fulfiller, Ledger, receipt_key
from services.fulfillment.settings import FulfillmentSettings
from tests.services.fulfillment.conftest import new_fulfiller, sent_emails

BUCKET = FulfillmentSettings().receipts_bucket


def test_an_order_gets_a_receipt_an_email_and_its_status(
    fulfiller: Fulfiller, place: Any, orders: TestClient, stack_clients: dict[str, Any]
) -> None:
    event = place()
    assert fulfiller.fulfil(event, holder="message-1") == "fulfilled"
    order = orders.get(f"/orders/{event.order.id}").json()
    assert order["status"] == "FULFILLED"
    assert order["receipt"] == receipt_key(event.order.id)
    receipt = stack_clients["s3"].get_object(Bucket=BUCKET, Key=order["receipt"])
    assert event.order.id in receipt["Body"].read().decode()
    (email,) = sent_emails("ada@example.com")
    assert email.id == order["email_message_id"]


def test_a_duplicate_changes_nothing(fulfiller: Fulfiller, place: Any, orders: TestClient) -> None:
    event = place()
    fulfiller.fulfil(event, holder="message-1")
    before = orders.get(f"/orders/{event.order.id}").json()
    assert fulfiller.fulfil(event, holder="message-2") == "already fulfilled"
    assert fulfiller.fulfil(event, holder="message-1") == "already fulfilled"
    assert orders.get(f"/orders/{event.order.id}").json() == before
    assert len(sent_emails("ada@example.com")) == 1


def test_a_copy_waits_while_another_worker_holds_the_order(
    fulfiller: Fulfiller, place: Any
) -> None:
    event = place()
    fulfiller.ledger.acquire(event.order.id, holder="message-1")
    with pytest.raises(TryLater) as later:
        fulfiller.fulfil(event, holder="message-2")
    assert later.value.after_seconds is not None
    assert 0 < later.value.after_seconds <= 61
    assert sent_emails("ada@example.com") == []


def test_a_redelivered_message_resumes_where_its_killed_worker_stopped(
    fulfiller: Fulfiller, place: Any, stack_clients: dict[str, Any]
) -> None:
    """Killed after the receipt, before the e-mail: the redelivery sends one e-mail."""
    event = place()
    progress = fulfiller.ledger.acquire(event.order.id, holder="message-1")
    fulfiller.ledger.save(replace(progress, receipt=receipt_key(event.order.id)))
    assert fulfiller.fulfil(event, holder="message-1") == "fulfilled"
    assert len(sent_emails("ada@example.com")) == 1


def test_an_expired_lease_is_taken_over(
    fulfiller: Fulfiller, place: Any, stack_clients: dict[str, Any]
) -> None:
    event = place()
    Ledger(stack_clients["s3"], BUCKET, lease=timedelta(0)).acquire(event.order.id, "dead-worker")
    assert fulfiller.fulfil(event, holder="message-2") == "fulfilled"
    assert len(sent_emails("ada@example.com")) == 1


def test_a_worker_paused_while_its_message_was_taken_over_sends_nothing(
    fulfiller: Fulfiller,
    place: Any,
    orders: TestClient,
    stack_clients: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Worker A stalls before the e-mail (its process paused past the visibility timeout);
    SQS hands the message to worker B, which takes the lease over and finishes. A, resumed,
    finds its lease gone when it confirms it, and sends no second e-mail."""
    other_worker = new_fulfiller(stack_clients, orders)
    monkeypatch.setattr(models, "LEASE_RECHECK_SECONDS", 0.0)  # any wait counts as a pause
    event = place()
    outcome: list[object] = []

    def worker_a() -> None:
        try:
            outcome.append(fulfiller.fulfil(event, holder="message-1"))
        except TryLater as error:
            outcome.append(error)

    with fulfiller._email_window:  # A stalls right before its e-mail
        a = threading.Thread(target=worker_a)
        a.start()
        key = receipt_key(event.order.id)
        for _ in range(200):
            if stack_clients["s3"].list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount"):
                break
            time.sleep(0.05)
        assert other_worker.fulfil(event, holder="message-1") == "fulfilled"  # redelivered
    a.join(20)
    assert isinstance(outcome[0], TryLater), outcome
    assert len(sent_emails("ada@example.com")) == 1


def test_a_receive_resumed_after_a_later_one_took_its_order_sends_nothing(
    fulfiller: Fulfiller, place: Any, orders: TestClient, stack_clients: dict[str, Any]
) -> None:
    """Worker A's process paused between receiving the message and taking the lease, past
    the visibility timeout; SQS handed the message to worker B (its second receive), which
    took the lease and is about to send the e-mail. A, resumed, takes nothing back."""
    event = place()
    ledger = Ledger(stack_clients["s3"], BUCKET, lease=timedelta(minutes=5))
    ledger.acquire(event.order.id, "message-1", attempt=2)  # B holds it
    with pytest.raises(Superseded):
        fulfiller.fulfil(event, holder="message-1", attempt=1)  # A, resumed
    assert sent_emails("ada@example.com") == []
    assert ledger.read(event.order.id).attempt == 2
    # B, or any later receive if B died, goes on at once.
    assert new_fulfiller(stack_clients, orders).fulfil(event, "message-1", 3) == "fulfilled"
    assert len(sent_emails("ada@example.com")) == 1


def test_an_event_for_no_order_writes_and_sends_nothing(
    fulfiller: Fulfiller, place: Any, stack_clients: dict[str, Any]
) -> None:
    event = place()
    forged = event.model_copy(
        update={
            "order": event.order.model_copy(update={"id": "f" * 32, "customer": "x@evil.example"})
        }
    )
    with pytest.raises(PoisonMessage):
        fulfiller.fulfil(forged, holder="message-1")
    assert stack_clients["s3"].list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    assert sent_emails("x@evil.example") == []


def test_the_email_goes_to_the_orders_customer_not_the_events(
    fulfiller: Fulfiller, place: Any
) -> None:
    event = place()
    forged = event.model_copy(
        update={"order": event.order.model_copy(update={"customer": "x@evil.example"})}
    )
    assert fulfiller.fulfil(forged, holder="message-1") == "fulfilled"
    assert sent_emails("x@evil.example") == []
    assert len(sent_emails("ada@example.com")) == 1


def test_an_order_id_that_is_a_path_names_no_order(fulfiller: Fulfiller, place: Any) -> None:
    event = place()
    forged = event.model_copy(update={"order": event.order.model_copy(update={"id": "../healthz"})})
    with pytest.raises(PoisonMessage):
        fulfiller.fulfil(forged, holder="message-1")
