"""The polling loop on real SQS semantics: deletes, releases, the dead-letter queue."""

import json
from typing import TYPE_CHECKING, Any, cast

import pytest

from services.contracts.orders import EVENT_TYPE_ATTRIBUTE
from services.fulfillment.consumer import Consumer, retry_delay
from services.fulfillment.dead_letters import DeadLetters
from services.fulfillment.errors import PoisonMessage
from services.fulfillment.models import Fulfiller, parse_event
from services.fulfillment.settings import FulfillmentSettings
from services.orders.settings import OrdersSettings
from tests.services.fulfillment.conftest import sent_emails

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SETTINGS = FulfillmentSettings()


def queue_url(sqs: Any, name: str) -> str:
    url: str = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return url


@pytest.fixture
def consumer(stack_clients: dict[str, Any], fulfiller: Fulfiller) -> Consumer:
    sqs = stack_clients["sqs"]
    return Consumer(
        sqs,
        queue_url(sqs, SETTINGS.queue),
        fulfiller,
        batch_size=10,
        wait_seconds=0,
        visibility_timeout_seconds=30,
    )


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
    """The real SQS client, except that the first DeleteMessage fails (Moto went away)."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)

    def delete_message(self, **request: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise ConnectionError("endpoint went away")
        return self._sqs.delete_message(**request)


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
