"""The patches apply to the pinned Moto only (another version is refused, or runs unpatched),
and each to its service as Moto imports it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from durable_moto import patches

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def test_the_patches_are_written_for_the_locked_moto() -> None:
    pinned = re.search(r"^moto==(\S+)$", LOCK.read_text(), re.MULTILINE)
    assert pinned is not None
    assert pinned.group(1) == patches.PINNED_MOTO


def test_another_moto_version_is_refused_with_the_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DURABLE_MOTO_PATCHES", raising=False)
    with pytest.raises(patches.PatchVersionError, match=r"5\.3\.0 is installed.*PATCHES=off"):
        patches.apply("5.3.0")


def test_patches_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DURABLE_MOTO_PATCHES", "off")
    assert patches.apply("5.3.0") is False


def test_a_service_is_patched_when_moto_imports_it() -> None:
    """In a fresh interpreter: applying the patches imports no service; Moto's own
    loader (what routes a service's first request) then brings it in patched."""
    script = """
import json, sys
from durable_moto import patches
patches.apply()
before = sorted(name for name in sys.modules if name.startswith(("moto.dynamodb", "moto.sqs")))
from moto.backends import get_backend
get_backend("dynamodb"), get_backend("sqs")
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.sqs.models import Queue, SQSBackend
from moto.core.common_models import BaseModel
from durable_moto.patches import dynamodb, sqs, tracking
print(json.dumps({"before": before, "patched": [
    BaseModel.__new__ is tracking._new,
    DynamoDBBackend.transact_write_items is dynamodb.transact_write_items,
    Item.__deepcopy__ is dynamodb._copy_item,
    SQSBackend.send_message is sqs.send_message,
    SQSBackend._validate_message is sqs._validate_message,
    Queue.add_message is sqs.add_message,
]}))
"""
    variables = {k: v for k, v in os.environ.items() if k != "DURABLE_MOTO_PATCHES"}
    run = subprocess.run(
        [sys.executable, "-c", script], env=variables, capture_output=True, text=True, check=True
    )
    result = json.loads(run.stdout)
    assert result == {"before": [], "patched": [True] * 6}
