"""Fulfilling one order: a receipt in S3, a confirmation e-mail, the order marked FULFILLED.

Delivery is at least once: SQS redelivers a message whose handler died, and the
orders outbox may publish an order's event twice. So every order has a
*progress record* in the receipts bucket (``progress/<order id>.json``) that
says which steps are done. It is created with ``If-None-Match: *`` and updated
with ``If-Match: <etag>``, S3's conditional writes, so two workers holding
copies of one order's event can never both act: the first holds a lease, the
second backs off until the lease is finished or expired. The same SQS message
coming back (its handler was killed or paused past its visibility timeout)
takes its own lease over at once: the record keeps which receive of the message
holds it, and an earlier receive, resumed, finds itself superseded and does
nothing, even before it has confirmed its lease.

What this guarantees: one receipt object, one status change, and one e-mail,
except when a worker dies in the instant between SES accepting the e-mail and
the record saying so; then the order's next attempt sends it again. A worker
that waited long for the e-mail window (a paused process, whose message SQS may
have handed to another worker meanwhile) confirms its lease before sending. (No mail
system offers an idempotency key, so at-least-once is the honest promise there.)
"""

import json
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack

from botocore.exceptions import ClientError
from pydantic import ValidationError

from services.contracts.orders import OrderPlaced
from services.fulfillment.errors import PoisonMessage, Superseded, TryLater
from services.fulfillment.orders_api import OrdersApi

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_ses import SESClient

Outcome = Literal["fulfilled", "already fulfilled"]

LEASE_RECHECK_SECONDS = 5.0
"""A worker that waited longer than this for the e-mail window confirms its lease before
sending. SQS hands a message to another worker only after its visibility timeout (30 s by
default, extended by the heartbeat) passes without a word from this one: a shorter wait
cannot have lost the lease, a longer one (a paused process) may have."""


@dataclass(frozen=True)
class Progress:
    order_id: str
    holder: str
    lease_until: datetime
    attempt: int = 1
    """Which receive of the holder's message holds the lease (SQS's receive count)."""
    etag: str = ""
    receipt: str | None = None
    email_message_id: str | None = None
    done: bool = False
    started_at: datetime | None = None
    """When the first attempt took the order (shown in the demo's flow view)."""

    def body(self) -> bytes:
        return json.dumps(
            {
                "order_id": self.order_id,
                "holder": self.holder,
                "attempt": self.attempt,
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "lease_until": self.lease_until.isoformat(),
                "receipt": self.receipt,
                "email_message_id": self.email_message_id,
                "done": self.done,
            }
        ).encode()


def _is_precondition_failure(error: ClientError) -> bool:
    """412: the condition failed; 409: S3 saw a concurrent conditional write to the key."""
    code = error.response["Error"]["Code"]
    return code in {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}


class WriteCondition(TypedDict, total=False):
    """S3's conditional write: create only (``IfNoneMatch="*"``) or replace only the version
    read (``IfMatch=etag``)."""

    IfMatch: str
    IfNoneMatch: str


class Ledger:
    """Progress records with leases, on S3 conditional writes."""

    def __init__(self, s3: "S3Client", bucket: str, lease: timedelta) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._lease = lease

    @staticmethod
    def key(order_id: str) -> str:
        return f"progress/{order_id}.json"

    def acquire(self, order_id: str, holder: str, attempt: int = 1) -> Progress:
        """The order's record, leased to receive ``attempt`` of message ``holder``.

        TryLater while another message's lease runs; Superseded when a later receive of
        the same message holds it. SQS hands a message out again only once the earlier
        receive let its visibility timeout pass (it was killed, or paused): the later
        one takes the lease over at once, and the earlier one must not take it back.
        """
        now = datetime.now(UTC)
        fresh = Progress(order_id, holder, now + self._lease, attempt=attempt, started_at=now)
        try:
            return self._write(fresh, IfNoneMatch="*")
        except ClientError as error:
            if not _is_precondition_failure(error):
                raise
        current = self.read(order_id)
        if current.done:
            return current
        now = datetime.now(UTC)
        if current.holder == holder and current.attempt > attempt:
            raise Superseded(f"receive {current.attempt} of this message holds order {order_id}")
        if current.holder != holder and current.lease_until > now:
            wait = int((current.lease_until - now).total_seconds()) + 1
            raise TryLater(f"order {order_id} is being fulfilled elsewhere", after_seconds=wait)
        taken = replace(current, holder=holder, attempt=attempt, lease_until=fresh.lease_until)
        return self.save(taken)

    def save(self, progress: Progress) -> Progress:
        """Record a finished step; TryLater if another worker took the lease meanwhile."""
        try:
            return self._write(progress, IfMatch=progress.etag)
        except ClientError as error:
            if not _is_precondition_failure(error):
                raise
            raise TryLater(f"lost the lease on order {progress.order_id}") from None

    def _write(self, progress: Progress, **condition: Unpack[WriteCondition]) -> Progress:
        answer = self._s3.put_object(
            Bucket=self._bucket,
            Key=self.key(progress.order_id),
            Body=progress.body(),
            ContentType="application/json",
            **condition,
        )
        return replace(progress, etag=answer["ETag"])

    def read(self, order_id: str) -> Progress:
        answer = self._s3.get_object(Bucket=self._bucket, Key=self.key(order_id))
        data = json.loads(answer["Body"].read())
        return Progress(
            order_id=data["order_id"],
            holder=data["holder"],
            attempt=int(data.get("attempt", 1)),
            lease_until=datetime.fromisoformat(data["lease_until"]),
            etag=answer["ETag"],
            receipt=data["receipt"],
            email_message_id=data["email_message_id"],
            done=data["done"],
            started_at=_optional_time(data.get("started_at")),
        )


def _optional_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def parse_event(body: str) -> OrderPlaced:
    try:
        return OrderPlaced.model_validate_json(body)
    except ValidationError as error:
        raise PoisonMessage(f"not an OrderPlaced v1 event: {error.errors()[0]['msg']}") from None


def receipt_key(order_id: str) -> str:
    return f"receipts/{order_id}.json"


WRITTEN_AT = "written-at"
"""User metadata of a receipt: when it was written, to the millisecond."""


def sent_email_key(order_id: str) -> str:
    """A copy of the confirmation as sent: SES keeps none that a client could read back."""
    return f"emails/{order_id}.json"


def render_receipt(event: OrderPlaced) -> bytes:
    order = event.order
    return json.dumps(
        {
            "receipt_for": order.id,
            "customer": order.customer,
            "placed_at": order.placed_at.isoformat(),
            "lines": [line.model_dump() for line in order.lines],
            "units": sum(line.quantity for line in order.lines),
        },
        indent=2,
    ).encode()


def render_email(event: OrderPlaced) -> tuple[str, str]:
    """Subject and plain-text body of the confirmation."""
    order = event.order
    lines = "\n".join(f"  {line.quantity} x {line.sku}" for line in order.lines)
    subject = f"Your order {order.id[:8]} is on its way"
    return subject, f"Thank you for your order {order.id}.\n\n{lines}\n"


class Fulfiller:
    """The business logic, shared by the long-polling worker and any other event source."""

    def __init__(
        self,
        s3: "S3Client",
        ses: "SESClient",
        orders: OrdersApi,
        *,
        bucket: str,
        sender: str,
        lease: timedelta,
    ) -> None:
        self._s3 = s3
        self._ses = ses
        self._orders = orders
        self._bucket = bucket
        self._sender = sender
        self.ledger = Ledger(s3, bucket, lease)
        self._email_window = threading.Lock()
        """Held from sending an e-mail until the record says it was sent: however many orders
        a worker handles at once, a crash can repeat at most one e-mail, as documented. Only
        those two calls: the whole drain of a process passes through it one order at a time."""

    def fulfil_message(
        self, body: str, message_id: str, attempt: int = 1
    ) -> tuple[OrderPlaced, Outcome]:
        """One receive of a queue message (``attempt``: SQS's receive count), from whichever
        consumer: the polling worker or Lambda."""
        event = parse_event(body)
        return event, self.fulfil(event, holder=message_id, attempt=attempt)

    def fulfil(self, event: OrderPlaced, holder: str, attempt: int = 1) -> Outcome:
        """Do whatever is still undone for the order; ``holder`` names this attempt's message,
        ``attempt`` which receive of it this is.

        The receipt and the e-mail are made from the order as the orders service keeps it,
        not from the event's copy: an event naming an order that does not exist is poison
        before anything is written or sent, and one naming someone else's address changes
        nothing.
        """
        stored = self._orders.placed_order(event.order.id)
        event = event.model_copy(update={"order": stored})
        progress = self.ledger.acquire(event.order.id, holder, attempt)
        confirmed = time.monotonic()
        if progress.done:
            return "already fulfilled"
        if progress.receipt is None:
            key = receipt_key(event.order.id)
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=render_receipt(event),
                ContentType="application/json",
                # S3's Last-Modified has whole seconds; the flow view shows milliseconds.
                Metadata={WRITTEN_AT: datetime.now(UTC).isoformat()},
            )
            # Recorded with the e-mail's step, one write fewer: a worker killed before then
            # writes the receipt again, over the same key, so there is still one receipt.
            progress = replace(progress, receipt=key)
        subject, text = render_email(event)
        if progress.email_message_id is None:
            with self._email_window:
                if time.monotonic() - confirmed > LEASE_RECHECK_SECONDS:
                    # Paused past the visibility timeout, its message may be another
                    # worker's by now, which took the lease over: then this one sends nothing.
                    progress = self.ledger.save(progress)
                sent = self._ses.send_email(
                    Source=self._sender,
                    Destination={"ToAddresses": [event.order.customer]},
                    Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
                )
                progress = self.ledger.save(replace(progress, email_message_id=sent["MessageId"]))
        assert progress.receipt is not None
        assert progress.email_message_id is not None
        # Outside the window, which workers of a process pass one at a time: written on every
        # attempt not yet done, so a worker killed before writing it leaves it to the next.
        self._keep_copy(event, progress.email_message_id, subject, text)
        self._orders.mark_fulfilled(
            event.order.id, progress.receipt, progress.email_message_id, event.order.request_id
        )
        self.ledger.save(replace(progress, done=True))
        return "fulfilled"

    def _keep_copy(self, event: OrderPlaced, message_id: str, subject: str, text: str) -> None:
        copy = {
            "message_id": message_id,
            "sender": self._sender,
            "to": [event.order.customer],
            "subject": subject,
            "body": text,
            "sent_at": datetime.now(UTC).isoformat(),
        }
        self._s3.put_object(
            Bucket=self._bucket,
            Key=sent_email_key(event.order.id),
            Body=json.dumps(copy, indent=2).encode(),
            ContentType="application/json",
        )
