"""Effects outside Moto happen once: replay hands back their recorded outcome.

The things outside are real HTTP endpoints in this test process that count what
reaches them: an SNS HTTP subscriber, and the Docker engine address Moto's
Lambda uses (``DOCKER_HOST``), which answers every call with a 500, as a broken
engine would.
"""

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from durable_harness import CountingEndpoint, DurableServer
from scenarios import ROLE_POLICY


@pytest.fixture
def endpoint() -> Iterator[CountingEndpoint]:
    counting = CountingEndpoint()
    yield counting
    counting.close()


@pytest.fixture
def docker_engine() -> Iterator[CountingEndpoint]:
    counting = CountingEndpoint(status=500)
    yield counting
    counting.close()


def _function(server: DurableServer, name: str) -> None:
    role = server.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    server.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler="handler.handle",
        Code={"ZipFile": buffer.getvalue()},
    )


def _invoke(server: DurableServer, name: str) -> dict[str, Any]:
    answer = server.client("lambda").invoke(FunctionName=name, Payload=b'{"order": 1}')
    return {
        "status": answer["StatusCode"],
        "error": answer.get("FunctionError"),
        "payload": answer["Payload"].read(),
    }


def _log_streams(server: DurableServer, name: str) -> list[str]:
    streams = server.client("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")
    return [stream["logStreamName"] for stream in streams["logStreams"]]


def test_replay_does_not_run_lambda_again_and_invoke_works_after_restore(
    tmp_path: Path, docker_engine: CountingEndpoint
) -> None:
    server = DurableServer(tmp_path / "data", DOCKER_HOST=f"tcp://127.0.0.1:{docker_engine.port}")
    server.start()
    try:
        _function(server, "resize")
        first = _invoke(server, "resize")
        second = _invoke(server, "resize")
        contacts = len(docker_engine.requests)
        assert contacts >= 2, "each live invoke reaches the container engine"
        assert first == second
        streams = _log_streams(server, "resize")
        assert len(streams) == 2

        server.kill()
        server.start()  # replays both Invokes
        assert server.status()["recovery"]["replayed_records"] >= 4
        assert len(docker_engine.requests) == contacts, "replay contacted the engine"
        assert _log_streams(server, "resize") == streams  # the run's logs, rebuilt exactly
        assert _invoke(server, "resize") == first
        per_invoke = (len(docker_engine.requests) - contacts) or 1
        contacts = len(docker_engine.requests)

        server.compact()  # a snapshot holds the function now
        server.kill()
        server.start()
        assert server.status()["recovery"]["snapshot"] is not None
        assert len(docker_engine.requests) == contacts
        # Before the fix: 500 AttributeError '_DockerModel__docker_client'.
        assert _invoke(server, "resize") == first
        assert len(docker_engine.requests) == contacts + per_invoke
    finally:
        server.kill()


def test_replay_does_not_deliver_to_http_subscribers_again(
    server: DurableServer, endpoint: CountingEndpoint
) -> None:
    sns, sqs = server.client("sns"), server.client("sqs")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    queue = sqs.create_queue(QueueName="orders-copy")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"{endpoint.url}/hook")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    for n in range(3):
        sns.publish(TopicArn=topic, Message=json.dumps({"order": n}))
    delivered = [body for method, path, body in endpoint.requests if path == "/hook"]
    assert len(delivered) == 3

    server.kill()
    server.start()
    assert server.status()["recovery"]["replayed_records"] > 0
    assert len(endpoint.requests) == 3, "replay delivered to the HTTP subscriber again"
    # The same publishes did reach the queue again: only the outside effect is skipped.
    attributes = server.client("sqs").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "3"
    server.client("sns").publish(TopicArn=topic, Message="after")
    assert len(endpoint.requests) == 4  # live deliveries go on
