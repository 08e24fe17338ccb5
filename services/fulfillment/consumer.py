"""The long-polling loop: receive a batch, handle each message, delete what is done.

What happens to a message:

* handled (or found already handled): deleted.
* ``PoisonMessage`` (unreadable, an unknown schema, an order that does not
  exist): made visible again at once, so after ``maxReceiveCount`` receives SQS
  moves it to the dead-letter queue and the loop goes on with the rest.
* anything else (``TryLater``, AWS or the orders service down): made visible
  again after a pause that grows with each receive.

The messages of a batch are worked on concurrently (at most ``concurrency`` at
a time): each one's work is mostly waiting for S3, SES and the orders service.
Messages about the same order stay in one sequence, in the order received, so a
duplicate finds the first one's progress record finished instead of its lease
held. A handled message is deleted as soon as it is done, in one
DeleteMessageBatch with the others done meanwhile (``Deletions``): never held
back for the rest of its batch, where a crash would send it round again towards
the dead-letter queue. One that comes back anyway, because the worker died
first, finds its order's progress record finished.

While a batch is worked on, a heartbeat thread keeps extending the visibility of
the messages not yet finished, so slow work is not handed to a second worker. On
stop the messages being worked on are finished, the rest of the batch is
released at once for another worker, and the loop returns.
"""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from services.fulfillment.errors import PoisonMessage, Superseded, TryLater
from services.fulfillment.models import Fulfiller, parse_event

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import (
        ChangeMessageVisibilityBatchRequestEntryTypeDef,
        DeleteMessageBatchRequestEntryTypeDef,
        MessageTypeDef,
    )

logger = logging.getLogger(__name__)


def by_order(messages: list["MessageTypeDef"]) -> list[list["MessageTypeDef"]]:
    """The batch as sequences, one per order, in the order received; an unreadable message
    is a sequence of its own (its handler makes it poison)."""
    sequences: dict[str, list[MessageTypeDef]] = {}
    for message in messages:
        try:
            key = parse_event(message["Body"]).order.id
        except PoisonMessage:
            key = f"message:{message['MessageId']}"
        sequences.setdefault(key, []).append(message)
    return list(sequences.values())


def retry_delay(receive_count: int) -> int:
    """5 s after the first receive, then 10, 20 … at most 5 minutes."""
    return int(min(5 * 2 ** max(receive_count - 1, 0), 300))


class InFlight:
    """Receipt handles of the messages being worked on, for the heartbeat."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handles: dict[str, str] = {}

    def add(self, message_id: str, handle: str) -> None:
        with self._lock:
            self._handles[message_id] = handle

    def discard(self, message_id: str) -> None:
        with self._lock:
            self._handles.pop(message_id, None)

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self._handles)

    def clear(self) -> None:
        with self._lock:
            self._handles.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._handles)


class Deletions:
    """Handled messages, deleted as they finish: the thread that finds no deletion under way
    deletes every message finished meanwhile, ten to a call; the others do not wait."""

    def __init__(self, delete_batch: Callable[[list["MessageTypeDef"]], None]) -> None:
        self._delete_batch = delete_batch
        self._lock = threading.Lock()
        self._pending: list[MessageTypeDef] = []
        self._deleting = threading.Lock()

    def add(self, message: "MessageTypeDef") -> None:
        with self._lock:
            self._pending.append(message)
        self.flush(wait=False)

    def flush(self, *, wait: bool = True) -> None:
        """Delete what is pending; without ``wait``, leave it to a deletion under way."""
        while self._deleting.acquire(blocking=wait):
            try:
                while batch := self._take(10):
                    self._delete_batch(batch)
            finally:
                self._deleting.release()
            with self._lock:  # one added while the lock was being released is not left behind
                if not self._pending:
                    return

    def _take(self, most: int) -> list["MessageTypeDef"]:
        with self._lock:
            batch, self._pending = self._pending[:most], self._pending[most:]
            return batch


class Consumer:
    def __init__(
        self,
        sqs: "SQSClient",
        queue_url: str,
        fulfiller: Fulfiller,
        *,
        batch_size: int,
        wait_seconds: int,
        visibility_timeout_seconds: int,
        concurrency: int = 1,
    ) -> None:
        self._sqs = sqs
        self._concurrency = concurrency
        self._queue_url = queue_url
        self._fulfiller = fulfiller
        self._batch_size = batch_size
        self._wait_seconds = wait_seconds
        self._visibility = visibility_timeout_seconds
        self._stop = threading.Event()
        self.in_flight = InFlight()
        self._handled_lock = threading.Lock()
        self.handled = 0
        self._deletions = Deletions(self._delete)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Until stopped: a failed receive (AWS down) is logged and retried after a pause."""
        heartbeat = threading.Thread(target=self._heartbeat, name="visibility", daemon=True)
        heartbeat.start()
        pause = 1.0
        while not self._stop.is_set():
            try:
                self.poll_once()
                pause = 1.0
            except Exception as error:
                logger.warning("receive failed (%s); retrying in %.0f s", error, pause)
                self._stop.wait(pause)
                pause = min(pause * 2, 30)
        heartbeat.join(timeout=5)

    def poll_once(self) -> int:
        """One receive and its batch; returns how many messages were received."""
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=self._wait_seconds,
            VisibilityTimeout=self._visibility,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])
        for message in messages:
            self.in_flight.add(message["MessageId"], message["ReceiptHandle"])
        sequences = by_order(messages)
        try:
            if self._concurrency == 1 or len(sequences) <= 1:
                for sequence in sequences:
                    self._work_through(sequence)
            else:
                workers = min(self._concurrency, len(sequences))
                with ThreadPoolExecutor(workers, thread_name_prefix="fulfil") as pool:
                    # list(): wait for all, and raise what a sequence raised.
                    list(pool.map(self._work_through, sequences))
        finally:
            # Never leave a message to the heartbeat: it would stay hidden for good.
            self.in_flight.clear()
            self._deletions.flush()
        return len(messages)

    def _work_through(self, sequence: list["MessageTypeDef"]) -> None:
        for message in sequence:
            if self._stop.is_set():
                self._release(message, after_seconds=0)
            elif self._handle(message):
                self._deletions.add(message)
            self.in_flight.discard(message["MessageId"])

    def _handle(self, message: "MessageTypeDef") -> bool:
        """Fulfil one message's order; True when done (the message is to be deleted)."""
        receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            event, outcome = self._fulfiller.fulfil_message(
                message["Body"], message["MessageId"], receives
            )
        except Superseded as error:
            logger.info("message %s (receive %d): %s", message["MessageId"], receives, error)
            return False
        except PoisonMessage as error:
            logger.error(
                "poison message %s (receive %d): %s", message["MessageId"], receives, error
            )
            self._release(message, after_seconds=0)
            return False
        except TryLater as error:
            delay = error.after_seconds or retry_delay(receives)
            logger.info("message %s: %s; again in %d s", message["MessageId"], error, delay)
            self._release(message, after_seconds=delay)
            return False
        except Exception as error:
            delay = retry_delay(receives)
            logger.warning(
                "message %s failed (%s: %s); again in %d s",
                message["MessageId"], type(error).__name__, error, delay,
            )  # fmt: skip
            self._release(message, after_seconds=delay)
            return False
        with self._handled_lock:
            self.handled += 1
        logger.info("order %s: %s", event.order.id, outcome)
        return True

    def _delete(self, messages: list["MessageTypeDef"]) -> None:
        """Delete up to ten handled messages in one call. One not deleted comes back, and its
        progress record says it is done."""
        entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
            {"Id": str(n), "ReceiptHandle": message["ReceiptHandle"]}
            for n, message in enumerate(messages)
        ]
        try:
            answer = self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
            failed = len(answer.get("Failed", []))
        except Exception:
            failed = len(entries)
        if failed:
            logger.warning("could not delete %d messages; they will be redelivered", failed)

    def _release(self, message: "MessageTypeDef", *, after_seconds: int) -> None:
        try:
            self._sqs.change_message_visibility(
                QueueUrl=self._queue_url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=after_seconds,
            )
        except Exception:  # it comes back when its visibility timeout ends anyway
            logger.warning("could not release message %s", message["MessageId"])

    def _heartbeat(self) -> None:
        """Every third of the visibility timeout, extend it for unfinished messages."""
        while not self._stop.wait(self._visibility / 3):
            handles = self.in_flight.snapshot()
            if not handles:
                continue
            entries: list[ChangeMessageVisibilityBatchRequestEntryTypeDef] = [
                {"Id": str(n), "ReceiptHandle": handle, "VisibilityTimeout": self._visibility}
                for n, handle in enumerate(handles.values())
            ]
            try:
                for start in range(0, len(entries), 10):
                    self._sqs.change_message_visibility_batch(
                        QueueUrl=self._queue_url, Entries=entries[start : start + 10]
                    )
            except Exception:
                logger.warning("could not extend visibility of %d messages", len(entries))
