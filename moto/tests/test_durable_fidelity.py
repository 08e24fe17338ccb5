"""durable Moto answers what plain Moto answers: the same requests against both.

The plain side is the same server with ``--no-persistence`` (Moto's own app,
nothing in between), so any difference comes from the durable layer.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from durable_harness import DurableServer

# Percent-encoded on the wire; the server decodes PATH_INFO, so each of these
# was stored changed or cut before the raw request line was journaled.
AWKWARD_KEYS = ["a%2Fb", "x?y", "sp ace", "ü", "%", "+", "a//b", "100%25", "q=1&r=2", "#frag"]


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[DurableServer]:
    server = DurableServer(tmp_path / "plain")
    server.start("--no-persistence")
    yield server
    server.kill()


def _s3_view(server: DurableServer) -> dict[str, Any]:
    s3 = server.client("s3")
    listed = [item["Key"] for item in s3.list_objects_v2(Bucket="keys").get("Contents", [])]
    bodies = {key: s3.get_object(Bucket="keys", Key=key)["Body"].read() for key in AWKWARD_KEYS}
    return {"listed": listed, "bodies": bodies}


def test_s3_keys_arrive_unchanged_live_on_replay_and_from_a_snapshot(
    server: DurableServer, plain: DurableServer
) -> None:
    for side in (server, plain):
        s3 = side.client("s3")
        s3.create_bucket(Bucket="keys")
        for key in AWKWARD_KEYS:
            s3.put_object(Bucket="keys", Key=key, Body=key.encode())
    expected = _s3_view(plain)
    assert sorted(expected["listed"]) == sorted(AWKWARD_KEYS)
    assert expected["bodies"] == {key: key.encode() for key in AWKWARD_KEYS}
    assert _s3_view(server) == expected

    server.kill()
    server.start()
    assert server.status()["recovery"]["replayed_records"] == 1 + len(AWKWARD_KEYS)
    assert _s3_view(server) == expected

    server.compact()
    server.kill()
    server.start()
    assert server.status()["recovery"]["replayed_records"] == 0
    assert _s3_view(server) == expected


def _receive_error(server: DurableServer, **arguments: Any) -> dict[str, Any]:
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName="waits")["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        sqs.receive_message(QueueUrl=queue, **arguments)
    return dict(refused.value.response["Error"])


@pytest.mark.parametrize("wait", [21, -1])
def test_receive_message_validates_wait_time_like_moto(
    server: DurableServer, plain: DurableServer, wait: int
) -> None:
    expected = _receive_error(plain, WaitTimeSeconds=wait)
    assert expected["Code"] == "InvalidParameterValue"
    assert _receive_error(server, WaitTimeSeconds=wait) == expected
