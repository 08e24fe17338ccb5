"""durable Moto's SQS patch: a send or a receive does not look at every queued message, and
behaves as before.

Work is counted, never timed: how often a send asks a message whether it is visible, and how
often a receive reads the clock.
"""

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.sqs import models
from moto.sqs.models import Message
from patch_helpers import moto_aws


def count_visibility_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts reads of ``Message.visible``/``delayed``: a pass over the queue reads them."""
    checks = [0]
    for name in ("visible", "delayed"):
        prop: property = Message.__dict__[name]

        def counted(self: Message, read: Any = prop.fget) -> bool:
            checks[0] += 1
            return bool(read(self))

        monkeypatch.setattr(Message, name, property(counted))
    return checks


def batch(start: int) -> list[dict[str, Any]]:
    return [{"Id": str(n), "MessageBody": f"message {start + n}"} for n in range(10)]


@pytest.mark.parametrize(
    ("patched", "fifo"),
    [(True, False), (True, True), (False, False)],
    ids=["patched-standard", "patched-fifo", "released-standard"],
)
def test_a_batch_costs_the_same_however_full_the_queue(
    patched: bool, fifo: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks_at = {}
    with moto_aws(patched=patched):
        sqs: Any = boto3.client("sqs")  # requests written as plain dicts
        attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
        url = sqs.create_queue(QueueName="q.fifo" if fifo else "q", Attributes=attributes)[
            "QueueUrl"
        ]
        group = {"MessageGroupId": "g"} if fifo else {}
        for queued in range(0, 300, 10):
            entries = [entry | group for entry in batch(queued)]
            if queued in (10, 290):
                checks = count_visibility_checks(monkeypatch)
                sqs.send_message_batch(QueueUrl=url, Entries=entries)
                checks_at[queued] = checks[0]
                monkeypatch.undo()
            else:
                sqs.send_message_batch(QueueUrl=url, Entries=entries)
    if patched:
        assert checks_at == {10: 0, 290: 0}
    else:  # Moto as released reads every queued message's clock per send
        assert checks_at[290] > 10 * 290


def count_clock_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the SQS models' reads of the clock: each message's visibility or age costs one."""
    reads = [0]
    for name in ("unix_time", "unix_time_millis"):
        clock = getattr(models, name)

        def counted(*args: Any, clock: Any = clock) -> float:
            reads[0] += 1
            return float(clock(*args))

        monkeypatch.setattr(models, name, counted)
    return reads


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "released"])
def test_a_receive_costs_the_same_however_full_the_queue(
    patched: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads_at = {}
    with moto_aws(patched=patched):
        sqs: Any = boto3.client("sqs")  # requests written as plain dicts
        url = sqs.create_queue(QueueName="q")["QueueUrl"]
        queued = 0
        for backlog in (20, 400):
            for start in range(queued, backlog, 10):
                sqs.send_message_batch(QueueUrl=url, Entries=batch(start))
            queued = backlog
            reads = count_clock_reads(monkeypatch)
            received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            reads_at[backlog] = reads[0]
            monkeypatch.undo()
            assert len(received) == 10
            for message in received:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            queued -= 10
    if patched:
        assert reads_at[400] == reads_at[20] < 100
    else:  # Moto as released reads every queued message's clock per message received
        assert reads_at[400] > 10 * 400


def run_scenario() -> list[Any]:
    """Sends to standard and FIFO queues, valid and refused; what a client sees."""
    sqs: Any = boto3.client("sqs")  # requests written as plain dicts
    outcomes: list[Any] = []
    standard = sqs.create_queue(QueueName="standard")["QueueUrl"]
    content = sqs.create_queue(
        QueueName="content.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"},
    )["QueueUrl"]
    explicit = sqs.create_queue(QueueName="explicit.fifo", Attributes={"FifoQueue": "true"})[
        "QueueUrl"
    ]
    sends: list[dict[str, Any]] = [
        {"QueueUrl": standard, "MessageBody": "a"},
        {"QueueUrl": standard, "MessageBody": "b", "DelaySeconds": 5},
        {"QueueUrl": standard, "MessageBody": "x" * 300_000},
        {"QueueUrl": content, "MessageBody": "a", "MessageGroupId": "g"},
        {"QueueUrl": content, "MessageBody": "a", "MessageGroupId": "g"},  # deduplicated
        {"QueueUrl": content, "MessageBody": "a"},  # no group
        {"QueueUrl": content, "MessageBody": "c", "MessageGroupId": "g", "DelaySeconds": 3},
        {"QueueUrl": explicit, "MessageBody": "a", "MessageGroupId": "g"},  # no dedup id
        {"QueueUrl": explicit, "MessageBody": "a"},
        {"QueueUrl": explicit, "MessageBody": "a", "MessageGroupId": "g",
         "MessageDeduplicationId": "d"},
        {"QueueUrl": explicit, "MessageBody": "b", "MessageGroupId": "g",
         "MessageDeduplicationId": "d"},  # deduplicated
    ]  # fmt: skip
    for send in sends:
        try:
            response = sqs.send_message(**send)
            outcomes.append(sorted(k for k in response if k != "ResponseMetadata"))
        except ClientError as error:
            outcomes.append(error.response["Error"])
    try:
        response = sqs.send_message_batch(
            QueueUrl=standard,
            Entries=[*batch(0)[:9], {"Id": "late", "MessageBody": "z", "DelaySeconds": 901}],
        )
        outcomes.append((len(response.get("Successful", [])), response.get("Failed")))
    except ClientError as error:
        outcomes.append(error.response["Error"])
    for url in (standard, content, explicit):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        outcomes.append({k: v for k, v in attributes.items() if "Timestamp" not in k})
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        outcomes.append(sorted(m["Body"][:10] for m in received.get("Messages", [])))
        again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)  # all in flight
        outcomes.append(len(again.get("Messages", [])))
        for message in received.get("Messages", [])[:2]:
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        visible_again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        outcomes.append(sorted(m["Body"][:10] for m in visible_again.get("Messages", [])))
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        outcomes.append({k: v for k, v in attributes.items() if k.startswith("Approximate")})
    return outcomes


def test_sends_behave_exactly_as_moto_released() -> None:
    with moto_aws(patched=False):
        released = run_scenario()
    with moto_aws(patched=True):
        patched = run_scenario()
    assert patched == released
    assert any(isinstance(outcome, dict) and "Code" in outcome for outcome in released)
