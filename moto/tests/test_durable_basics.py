"""Durability through the real server: clean restart, kill -9, snapshots, admin."""

from pathlib import Path

import httpx

from durable_harness import DurableServer


def test_acknowledged_writes_survive_kill_9(server: DurableServer) -> None:
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName="orders")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="one")
    received = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=600)["Messages"][0]
    server.kill()
    server.start()
    sqs = server.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"
    # The receipt handle issued before the crash still deletes the message.
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=received["ReceiptHandle"])
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_clean_stop_snapshots_and_restarts_without_replay(server: DurableServer) -> None:
    server.client("s3").create_bucket(Bucket="kept")
    server.stop()
    server.start()
    status = server.status()
    assert status["recovery"]["snapshot"].startswith("snapshot-")
    assert status["recovery"]["replayed_records"] == 0
    assert [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]] == ["kept"]


def test_reads_are_not_journaled(server: DurableServer) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="bucket-1")
    before = server.status()["journal"]["records"]
    for _ in range(5):
        s3.list_buckets()
        s3.head_bucket(Bucket="bucket-1")
    assert server.status()["journal"]["records"] == before


def test_moto_reset_is_durable(server: DurableServer) -> None:
    server.client("s3").create_bucket(Bucket="gone")
    assert httpx.post(f"{server.url}/moto-api/reset").status_code == 200
    server.kill()
    server.start()
    assert server.client("s3").list_buckets()["Buckets"] == []


def test_persistence_off_is_plain_moto(tmp_path: Path) -> None:
    plain = DurableServer(tmp_path / "plain")
    plain.start("--no-persistence")
    try:
        plain.client("s3").create_bucket(Bucket="ephemeral")
        plain.kill()
        plain.start("--no-persistence")
        assert plain.client("s3").list_buckets()["Buckets"] == []
        assert not (tmp_path / "plain").exists()
    finally:
        plain.kill()
