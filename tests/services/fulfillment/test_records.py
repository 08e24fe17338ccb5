"""What the worker did for an order, read back for the demo's pages."""

from typing import Any

import pytest

from services.common.errors import NotFound
from services.fulfillment.models import Fulfiller, receipt_key
from services.fulfillment.records import FulfilmentRecords
from services.fulfillment.settings import FulfillmentSettings
from tests.services.fulfillment.conftest import sent_emails


@pytest.fixture
def records(fulfiller: Fulfiller, stack_clients: dict[str, Any]) -> FulfilmentRecords:
    bucket = FulfillmentSettings().receipts_bucket
    return FulfilmentRecords(stack_clients["s3"], bucket, fulfiller.ledger)


def test_the_record_holds_the_receipt_and_the_email_as_sent(
    fulfiller: Fulfiller, place: Any, records: FulfilmentRecords
) -> None:
    event = place("grace@example.com")
    fulfiller.fulfil(event, holder="message-7")
    record = records.get(event.order.id)
    assert (record.message_id, record.done) == ("message-7", True)
    assert record.started_at is not None
    assert record.receipt is not None
    assert record.receipt.key == receipt_key(event.order.id)
    assert record.receipt.content["receipt_for"] == event.order.id
    (sent,) = sent_emails("grace@example.com")
    assert record.email is not None
    assert record.email.message_id == sent.id
    assert (record.email.subject, record.email.body) == (sent.subject, sent.body)
    assert record.email.to == ["grace@example.com"]
    # In the order they happened, to the millisecond (S3's Last-Modified has whole seconds).
    assert record.started_at <= record.receipt.written_at <= record.email.sent_at


def test_an_order_the_worker_never_saw_is_not_found(records: FulfilmentRecords) -> None:
    with pytest.raises(NotFound):
        records.get("never-placed")
