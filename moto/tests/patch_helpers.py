"""Running Moto in-process with or without durable Moto's patches, for one test."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto import mock_aws
from moto.core.common_models import BaseModel
from moto.core.serialize import AttributePicker, XFormedAttributePicker
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.sqs.models import Queue, SQSBackend

from durable_moto.patches import dynamodb, serialize, sqs, tracking

PATCHED = [
    (BaseModel, "__new__"),
    (AttributePicker, "get_possible_keys"),
    (XFormedAttributePicker, "get_possible_keys"),
    (DynamoDBBackend, "transact_write_items"),
    (Item, "__deepcopy__"),
    (SQSBackend, "send_message"),
    (SQSBackend, "_validate_message"),
    (Queue, "add_message"),
    (SQSBackend, "is_message_valid_based_on_retention_period"),
    (Queue, "messages"),
]
ORIGINALS = {(owner, name): owner.__dict__[name] for owner, name in PATCHED}
"""Moto's own functions: this test process applies patches only through ``moto_aws``."""


@contextmanager
def moto_aws(*, patched: bool) -> Iterator[None]:
    """A fresh in-process Moto, patched or as released; Moto is restored afterwards."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for (owner, name), original in ORIGINALS.items():
            monkeypatch.setattr(owner, name, original)  # undone when the block ends
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.setenv(name, "test")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        if patched:
            tracking.apply()
            serialize.apply()
            dynamodb.apply()
            sqs.apply()
        with mock_aws():
            yield


def tracked(model: type) -> int:
    """How many instances Moto keeps of a model class (``BaseModel.__new__`` tracks each);
    what is unreachable is collected first, whenever the collector would have run."""
    gc.collect()
    return len(model.instances_tracked)  # type: ignore[attr-defined]
