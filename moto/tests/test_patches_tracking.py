"""durable Moto's tracking patch: Moto keeps the models still in use, not every one it made.

Work is counted, never timed: the model objects Moto still tracks after a
workload that stores one object, compared with Moto as released.
"""

from typing import Any

import boto3
import pytest
import requests
from moto.s3.models import FakeKey
from moto.sqs.models import Message
from patch_helpers import moto_aws, tracked

from durable_moto.patches.tracking import WeakInstances

MOTO_API = "http://motoapi.amazonaws.com/moto-api"
ROUNDS = 300


def overwrite_one_key_and_drain_a_queue() -> None:
    """The worker's pattern: one record rewritten per order, every message deleted."""
    s3: Any = boto3.client("s3")  # requests written as plain dicts
    sqs: Any = boto3.client("sqs")
    s3.create_bucket(Bucket="progress")
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    for n in range(ROUNDS):
        s3.put_object(Bucket="progress", Key="order", Body=f"step {n}".encode() * 100)
        sqs.send_message(QueueUrl=url, MessageBody=f"order {n}")
        for message in sqs.receive_message(QueueUrl=url)["Messages"]:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "released"])
def test_moto_keeps_the_models_still_in_use_only(patched: bool) -> None:
    with moto_aws(patched=patched):
        overwrite_one_key_and_drain_a_queue()
        kept = {"keys": tracked(FakeKey), "messages": tracked(Message)}
        body = boto3.client("s3").get_object(Bucket="progress", Key="order")["Body"].read()
    assert body == f"step {ROUNDS - 1}".encode() * 100
    if patched:
        assert kept == {"keys": 1, "messages": 0}  # the key stored; the queue is empty
    else:  # Moto as released keeps every one: this test can tell the difference
        assert kept["keys"] >= ROUNDS
        assert kept["messages"] >= ROUNDS


def test_the_dashboard_and_a_reset_still_see_every_live_model() -> None:
    with moto_aws(patched=True):
        overwrite_one_key_and_drain_a_queue()
        data = requests.get(f"{MOTO_API}/data.json", timeout=10).json()
        assert [key["name"] for key in data["s3"]["FakeKey"]] == ["order"]
        assert [queue["name"] for queue in data["sqs"]["Queue"]] == ["orders"]
        assert data["sqs"]["Message"] == []

        stored = next(iter(FakeKey.instances_tracked))  # type: ignore[attr-defined]
        requests.post(f"{MOTO_API}/reset", timeout=10).raise_for_status()
        assert stored.disposed  # S3's reset closed its buffer, found through the tracking
        assert FakeKey.instances_tracked == []  # type: ignore[attr-defined]

        boto3.client("s3").create_bucket(Bucket="again")
        boto3.client("s3").put_object(Bucket="again", Key="k", Body=b"v")
        assert isinstance(FakeKey.instances_tracked, WeakInstances)  # type: ignore[attr-defined]
        assert tracked(FakeKey) == 1


class Model:
    """A stand-in with identity semantics, as Moto's models have."""


class Unreferable:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def test_an_instance_leaves_when_nothing_else_holds_it() -> None:
    first, second, third = Model(), Model(), Model()
    instances = WeakInstances([first, second])
    instances.append(third)
    assert list(instances) == [first, second, third]  # creation order
    del second
    assert list(instances) == [first, third]
    assert len(instances) == 2
    assert instances == [first, third]


def test_an_instance_that_cannot_be_referred_to_weakly_is_held() -> None:
    instances = WeakInstances()
    instances.append(Unreferable("held"))
    assert [instance.name for instance in instances] == ["held"]


def test_entries_of_freed_instances_are_dropped_as_the_list_grows() -> None:
    kept = [Model() for _ in range(1_000)]
    instances = WeakInstances(kept)
    for _ in range(100_000):
        instances.append(Model())  # freed at once: only its entry would remain
    assert len(instances) == len(kept)
    assert len(instances._entries) <= 2 * len(kept) + 64  # not the 101,000 appended
