"""SQS: sending or receiving a message no longer costs a pass over every message in the queue.

What was slow. ``SQSBackend.send_message`` (Moto 5.2.5) read one setting with
``queue.attributes.get("ContentBasedDeduplication")``, and for FIFO queues
``_validate_message`` and ``Queue.add_message`` did the same. ``attributes``
builds every attribute of the queue, including ``ApproximateNumberOfMessages``,
``…NotVisible`` and ``…Delayed``, each a pass over all stored messages that
asks every message for the time. Each send therefore cost O(messages queued),
and a ``SendMessageBatch`` of 4,000 messages into one queue took 157 s
(quadratic).

What the patch does. Those three functions read the setting from the queue
itself (``_content_based_deduplication``, exactly the value ``attributes``
reports: ``"true"``/``"false"`` on FIFO queues, absent on standard ones).
Nothing else changes: same validation, same order, same errors, same draws
from Moto's random generator. (A FIFO send still compares its deduplication
id with the queued messages', as before; that is a cheap comparison per
message, not a clock read.)

Receiving had the same cost, twice over. ``receive_message`` asks
``is_message_valid_based_on_retention_period`` about every message it hands
out, and that read ``MessageRetentionPeriod`` through ``get_queue_attributes``,
which builds ``attributes`` (three passes over the queue, a clock read per
message each) *twice*. A receive of 10 from a queue holding 500 messages read
the clock some 30,000 times; a worker draining a backlog slowed as the backlog
grew. And ``Queue.messages``, the list of visible messages every receive
starts from, read the clock twice per queued message.

What the patch does. The retention check reads ``queue.message_retention_period``,
the value ``attributes`` reports. ``Queue.messages`` reads the clock once per
call and compares every message with that instant: the same comparisons as
``Message.visible`` and ``Message.delayed``, against one ``now`` instead of a
fresh one per message (a consistent view of the queue, which the per-message
reads never promised either).
"""

import hashlib
import string
from collections.abc import Callable
from typing import Any

from moto.moto_api._internal import mock_random as random
from moto.sqs import models
from moto.sqs.exceptions import InvalidParameterValue, MissingParameter
from moto.sqs.models import Message, Queue, SQSBackend, sqs_backends


def _content_based_deduplication(queue: Queue) -> str | None:
    """``queue.attributes.get("ContentBasedDeduplication")`` without counting messages."""
    if not queue.fifo_queue:
        return None
    return str(bool(queue.content_based_deduplication)).lower()  # type: ignore[attr-defined]


def _validate_message(
    self: SQSBackend,
    queue: Queue,
    message_body: str,
    delay_seconds: int,
    deduplication_id: str | None = None,
    group_id: str | None = None,
    validate_group_id: bool = True,
) -> None:
    if queue.fifo_queue:
        content_based = _content_based_deduplication(queue)
        if content_based == "false" and not group_id:
            raise MissingParameter("MessageGroupId")
        if content_based == "false" and group_id and not deduplication_id:
            raise InvalidParameterValue(
                "The queue should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly"
            )
        if delay_seconds > 0:
            raise InvalidParameterValue(
                f"Value {delay_seconds} for parameter DelaySeconds is invalid. Reason: "
                "The request include parameter that is not valid for this queue type."
            )
    if len(message_body) > queue.maximum_message_size:  # type: ignore[attr-defined]
        raise InvalidParameterValue(
            "One or more parameters are invalid. Reason: Message must be shorter than "
            f"{queue.maximum_message_size} bytes."  # type: ignore[attr-defined]
        )
    if group_id is None and queue.fifo_queue:
        raise MissingParameter("MessageGroupId")


def send_message(
    self: SQSBackend,
    queue_name: str,
    message_body: str,
    message_attributes: dict[str, Any] | None = None,
    delay_seconds: int | None = None,
    deduplication_id: str | None = None,
    group_id: str | None = None,
    system_attributes: dict[str, Any] | None = None,
    validate_group_id: bool = True,
) -> Message:
    queue = self.get_queue(queue_name)
    self._validate_message(
        queue,
        message_body=message_body,
        delay_seconds=int(delay_seconds or 0),
        deduplication_id=deduplication_id,
        group_id=group_id,
        validate_group_id=validate_group_id,
    )
    delay_seconds = int(delay_seconds) if delay_seconds is not None else queue.delay_seconds  # type: ignore[attr-defined]

    message_id = str(random.uuid4())
    message = Message(message_id, message_body, system_attributes)
    if _content_based_deduplication(queue) == "true":
        sha256 = hashlib.sha256()
        sha256.update(message_body.encode("utf-8"))
        message.deduplication_id = sha256.hexdigest()
    if deduplication_id is not None:
        message.deduplication_id = deduplication_id
        message.sequence_number = "".join(random.choice(string.digits) for _ in range(20))
    if group_id is not None:
        message.group_id = group_id
    if message_attributes:
        message.message_attributes = message_attributes
    if delay_seconds > models.MAXIMUM_MESSAGE_DELAY:
        raise InvalidParameterValue(
            f"Value {delay_seconds} for parameter DelaySeconds is invalid. "
            "Reason: DelaySeconds must be >= 0 and <= 900."
        )
    message.mark_sent(delay_seconds=delay_seconds)
    queue.add_message(message)
    return message


def add_message(self: Queue, message: Message) -> None:
    if self.fifo_queue and (
        _content_based_deduplication(self) == "true" or message.deduplication_id
    ):
        for m in self._messages:
            if m.deduplication_id == message.deduplication_id:
                diff = message.sent_timestamp - m.sent_timestamp  # type: ignore[operator]
                if diff / 1000 < models.DEDUPLICATION_TIME_IN_SECONDS:
                    return
    with self._messages_lock:
        self._messages.append(message)
        self._messages_lock.notify_all()

    for arn, esm in self.lambda_event_source_mappings.items():
        if not esm.enabled:
            continue
        backend = sqs_backends[self.account_id][self.region]
        # Lambda polls the queue and invokes the function with a batch; a batch
        # it processed is deleted, one it failed becomes visible again.
        messages = backend.receive_message(
            self.name,
            esm.batch_size,
            self.receive_message_wait_time_seconds,  # type: ignore[attr-defined]
            self.visibility_timeout,  # type: ignore[attr-defined]
        )
        from moto.awslambda.utils import get_backend

        result = get_backend(self.account_id, self.region).send_sqs_batch(
            arn, messages, self.queue_arn
        )
        if result:
            for m in messages:
                backend.delete_message(self.name, m.receipt_handle)  # type: ignore[arg-type]
        else:
            for m in messages:
                backend.change_message_visibility(
                    self.name,
                    m.receipt_handle,  # type: ignore[arg-type]
                    visibility_timeout=0,
                )


def is_message_valid_based_on_retention_period(
    self: SQSBackend, queue_name: str, message: Message
) -> bool:
    retention_period = self.get_queue(queue_name).message_retention_period  # type: ignore[attr-defined]
    retain_until = retention_period + message.sent_timestamp / 1000  # type: ignore[operator]
    # The clock is read through Moto's SQS module, as its own code reads it there.
    return bool(retain_until > models.unix_time())  # type: ignore[attr-defined]


def messages(self: Queue) -> list[Message]:
    """The visible, undelayed messages, as of one reading of the clock."""
    now = models.unix_time_millis()  # type: ignore[attr-defined]
    return [
        message
        for message in self._messages
        if now > message.visible_at and not now < message.delayed_until
    ]


def apply() -> None:
    replacements: dict[tuple[type, str], Callable[..., Any] | property] = {
        (SQSBackend, "_validate_message"): _validate_message,
        (SQSBackend, "send_message"): send_message,
        (Queue, "add_message"): add_message,
        (SQSBackend, "is_message_valid_based_on_retention_period"): (
            is_message_valid_based_on_retention_period
        ),
        (Queue, "messages"): property(messages),
    }
    for (owner, name), function in replacements.items():
        setattr(owner, name, function)
