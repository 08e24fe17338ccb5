"""The polling loop on real SQS semantics: deletes, releases, the dead-letter queue."""

import json
import threading
import time
from typing import TYPE_CHECKING, Any, cast

import pytest

from services.contracts.orders import EVENT_TYPE_ATTRIBUTE, OrderPlaced
from services.fulfillment.consumer import Consumer, Deletions, retry_delay
from services.fulfillment.dead_letters import DeadLetters
from services.fulfillment.errors import PoisonMessage, Superseded, TryLater
from services.fulfillment.models import Fulfiller, Outcome, parse_event
from services.fulfillment.settings import FulfillmentSettings
from services.orders.settings import OrdersSettings
from tests.services.fulfillment.conftest import sent_emails

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SETTINGS = FulfillmentSettings()


def queue_url(sqs: Any, name: str) -> str:
    url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return url


def make_consumer(
    stack_clients: dict[str, Any], fulfiller: Fulfiller, concurrency: int
) -> Consumer:
    sqs = stack_clients["sqs"]
    return Consumer(
        sqs,
        queue_url(sqs, SETTINGS.queue),
        fulfiller,
        batch_size=10,
        wait_seconds=0,
        visibility_timeout_seconds=30,
        concurrency=concurrency,
    )


@pytest.fixture
def consumer(stack_clients: dict[str, Any], fulfiller: Fulfiller) -> Consumer:
    return make_consumer(stack_clients, fulfiller, concurrency=1)


def publish(sns: Any, body: str) -> None:
    """Through the topic, as the orders service publishes (filter policy and all)."""
    (topic,) = [
        t["TopicArn"]
        for t in sns.list_topics()["Topics"]
        if t["TopicArn"].endswith(OrdersSettings().events_topic)
    ]
    sns.publish(
        TopicArn=topic,
        Message=body,
        MessageAttributes={
            EVENT_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": "OrderPlaced"}
        },
    )


def test_a_good_event_is_handled_and_deleted(consumer: Consumer, place: Any) -> None:
    place()  # the orders app publishes OrderPlaced through the topic to the queue
    assert consumer.poll_once() == 1
    assert consumer.handled == 1
    assert consumer.poll_once() == 0, "the message was deleted"


def test_a_poison_message_ends_in_the_dead_letter_queue(
    consumer: Consumer, place: Any, stack_clients: dict[str, Any]
) -> None:
    sns, sqs = stack_clients["sns"], stack_clients["sqs"]
    publish(sns, json.dumps({"type": "OrderPlaced", "schema_version": 99}))
    for _ in range(3):  # released at once each time, so the next poll sees it again
        assert consumer.poll_once() == 1
    place()
    assert consumer.poll_once() == 1, "only the good one: the poison one moved on"
    assert consumer.handled == 1
    report = DeadLetters(sqs, SETTINGS.queue, SETTINGS.dead_letter_queue).report()
    assert report.approximate_count == 1
    assert '"schema_version": 99' in report.sample[0].body


def test_dead_letters_can_be_sent_back(stack_clients: dict[str, Any]) -> None:
    sqs = stack_clients["sqs"]
    sqs.send_message(QueueUrl=queue_url(sqs, SETTINGS.dead_letter_queue), MessageBody="{}")
    dead_letters = DeadLetters(sqs, SETTINGS.queue, SETTINGS.dead_letter_queue)
    assert dead_letters.redrive() == 1
    assert dead_letters.report().approximate_count == 0
    (back,) = sqs.receive_message(QueueUrl=queue_url(sqs, SETTINGS.queue))["Messages"]
    assert back["Body"] == "{}"


def test_stopping_releases_the_rest_of_the_batch(consumer: Consumer, place: Any) -> None:
    for _ in range(3):
        place()
    consumer.stop()
    assert consumer.poll_once() == 3
    assert consumer.handled == 0
    assert consumer.poll_once() == 3, "released at once, not after the visibility timeout"


@pytest.mark.parametrize("body", ["not json", "{}", '{"type": "OrderPlaced", "schema_version": 2}'])
def test_unreadable_events_are_poison(body: str) -> None:
    with pytest.raises(PoisonMessage):
        parse_event(body)


def test_retries_back_off() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 10)] == [5, 10, 20, 300]


def test_a_duplicated_event_sends_one_email(
    consumer: Consumer, place: Any, stack_clients: dict[str, Any]
) -> None:
    event = place()
    publish(stack_clients["sns"], event.model_dump_json())  # the outbox published it twice
    assert consumer.poll_once() == 2
    assert consumer.handled == 2
    assert len(sent_emails(event.order.customer)) == 1


class DeleteFailsOnce:
    """The real SQS client, except that the first DeleteMessageBatch fails (Moto went away)."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)

    def delete_message_batch(self, **request: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise ConnectionError("endpoint went away")
        return self._sqs.delete_message_batch(**request)


def test_a_failed_delete_leaves_nothing_hidden_for_good(
    place: Any, fulfiller: Fulfiller, stack_clients: dict[str, Any]
) -> None:
    """Regression: a message left in the heartbeat's set stayed invisible forever."""
    sqs = DeleteFailsOnce(stack_clients["sqs"])
    consumer = Consumer(
        cast("SQSClient", sqs),  # the client, but for one failing call
        queue_url(stack_clients["sqs"], SETTINGS.queue),
        fulfiller,
        batch_size=10,
        wait_seconds=0,
        visibility_timeout_seconds=30,
    )
    place()
    place()
    assert consumer.poll_once() == 2
    assert sqs.failed
    assert consumer.handled == 2, "the rest of the batch was still handled"
    assert len(consumer.in_flight) == 0


class CountedCalls:
    """The real SQS client, counting the calls made through it by operation."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._sqs, name)

        def counted(**request: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return call(**request)

        return counted


def counted_consumer(stack_clients: dict[str, Any], fulfiller: Fulfiller) -> Consumer:
    return Consumer(
        cast("SQSClient", CountedCalls(stack_clients["sqs"])),
        queue_url(stack_clients["sqs"], SETTINGS.queue),
        fulfiller,
        batch_size=10,
        wait_seconds=0,
        visibility_timeout_seconds=30,
        concurrency=10,
    )


def test_messages_finished_during_a_deletion_share_the_next_call() -> None:
    """The thread deleting takes what finished meanwhile; the others do not wait for it."""
    sizes: list[int] = []
    first_call = threading.Event()
    go_on = threading.Event()

    def delete_batch(batch: list[Any]) -> None:
        sizes.append(len(batch))
        first_call.set()
        go_on.wait(10)

    deletions = Deletions(delete_batch)
    deleting = threading.Thread(target=deletions.add, args=({"ReceiptHandle": "r0"},))
    deleting.start()
    assert first_call.wait(10)
    for n in range(1, 4):
        deletions.add({"ReceiptHandle": f"r{n}"})  # returns at once: a deletion is under way
    go_on.set()
    deleting.join(10)
    assert sizes == [1, 3]


def test_a_finished_message_is_deleted_before_its_batch_ends(
    place: Any, fulfiller: Fulfiller, stack_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held back for the rest of its batch, a finished message would go round again if the
    worker died meanwhile, towards the dead-letter queue."""
    first, last = place(), place()
    consumer = counted_consumer(stack_clients, fulfiller)
    calls = cast("CountedCalls", consumer._sqs).calls
    deleted_before_the_last_finished = threading.Event()
    real = fulfiller.fulfil_message

    def last_waits(body: str, message_id: str, attempt: int) -> tuple[OrderPlaced, Outcome]:
        if parse_event(body).order.id == last.order.id:
            for _ in range(200):
                if calls.get("delete_message_batch"):
                    deleted_before_the_last_finished.set()
                    break
                time.sleep(0.05)
        return real(body, message_id, attempt)

    monkeypatch.setattr(fulfiller, "fulfil_message", last_waits)
    assert consumer.poll_once() == 2
    assert deleted_before_the_last_finished.is_set(), f"{first.order.id} waited for the batch"
    assert consumer.poll_once() == 0, "both deleted"


def test_a_superseded_receive_leaves_its_message_alone(
    place: Any, fulfiller: Fulfiller, stack_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later receive holds the message: releasing it would hand it out a third time."""
    place()
    consumer = counted_consumer(stack_clients, fulfiller)
    calls = cast("CountedCalls", consumer._sqs).calls

    def superseded(body: str, message_id: str, attempt: int) -> tuple[OrderPlaced, Outcome]:
        raise Superseded("receive 2 of this message holds the order")

    monkeypatch.setattr(fulfiller, "fulfil_message", superseded)
    assert consumer.poll_once() == 1
    assert not calls.get("change_message_visibility"), calls
    assert not calls.get("delete_message_batch"), calls


def concurrent_consumer(stack_clients: dict[str, Any], fulfiller: Fulfiller) -> Consumer:
    return make_consumer(stack_clients, fulfiller, concurrency=10)


def test_the_orders_of_a_batch_are_fulfilled_concurrently(
    place: Any, fulfiller: Fulfiller, stack_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each handler waits at a barrier for the other two: one at a time, it would break."""
    meet = threading.Barrier(3, timeout=20)
    real = fulfiller.fulfil_message

    def after_the_others(body: str, message_id: str, attempt: int) -> tuple[OrderPlaced, Outcome]:
        meet.wait()
        return real(body, message_id, attempt)

    monkeypatch.setattr(fulfiller, "fulfil_message", after_the_others)
    consumer = concurrent_consumer(stack_clients, fulfiller)
    for _ in range(3):
        place()
    assert consumer.poll_once() == 3
    assert consumer.handled == 3
    assert not meet.broken
    assert consumer.poll_once() == 0, "all three deleted"


def test_only_finished_messages_are_deleted(
    place: Any, fulfiller: Fulfiller, stack_clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [place() for _ in range(3)]
    unfinished = events[1].order.id
    real = fulfiller.fulfil_message

    def not_that_one(body: str, message_id: str, attempt: int) -> tuple[OrderPlaced, Outcome]:
        if parse_event(body).order.id == unfinished:
            raise TryLater("the orders service is busy")
        return real(body, message_id, attempt)

    monkeypatch.setattr(fulfiller, "fulfil_message", not_that_one)
    consumer = concurrent_consumer(stack_clients, fulfiller)
    assert consumer.poll_once() == 3
    assert consumer.handled == 2
    attributes = stack_clients["sqs"].get_queue_attributes(
        QueueUrl=queue_url(stack_clients["sqs"], SETTINGS.queue), AttributeNames=["All"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1", "kept for a retry"


def test_duplicates_in_a_concurrent_batch_send_one_email(
    place: Any, fulfiller: Fulfiller, stack_clients: dict[str, Any]
) -> None:
    """Both copies of an order's event are handled, one after the other, in one batch."""
    event = place()
    publish(stack_clients["sns"], event.model_dump_json())
    place("bob@example.com")
    consumer = concurrent_consumer(stack_clients, fulfiller)
    assert consumer.poll_once() == 3
    assert consumer.handled == 3
    assert len(sent_emails(event.order.customer)) == 1
