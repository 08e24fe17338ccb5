"""Durability through the real server: clean restart, kill -9, snapshots, admin."""

from pathlib import Path

import httpx
import pytest

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


def test_s3_metadata_keeps_underscores_live_and_after_replay(server: DurableServer) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="meta")
    s3.put_object(Bucket="meta", Key="k", Body=b"v", Metadata={"my_key": "1", "other-key": "2"})
    assert s3.head_object(Bucket="meta", Key="k")["Metadata"] == {"my_key": "1", "other-key": "2"}
    server.kill()
    server.start()
    assert server.status()["recovery"]["replayed_records"] == 2
    metadata = server.client("s3").head_object(Bucket="meta", Key="k")["Metadata"]
    assert metadata == {"my_key": "1", "other-key": "2"}


def test_clean_stop_snapshots_and_restarts_without_replay(server: DurableServer) -> None:
    server.client("s3").create_bucket(Bucket="kept")
    server.stop()
    server.start()
    status = server.status()
    assert status["recovery"]["snapshot"].startswith("snapshot-")
    assert status["recovery"]["replayed_records"] == 0
    assert [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]] == ["kept"]


def test_a_clean_stop_with_nothing_new_writes_no_snapshot(server: DurableServer) -> None:
    """The newest snapshot already holds everything: stopping again writes nothing."""
    server.client("s3").create_bucket(Bucket="kept")
    server.stop()
    written = sorted(server.data_dir.glob("snapshot-*.dms"))
    server.start()
    server.stop()
    assert sorted(server.data_dir.glob("snapshot-*.dms")) == written
    server.start()
    assert server.status()["recovery"]["replayed_records"] == 0
    server.client("s3").create_bucket(Bucket="new")
    server.stop()
    assert sorted(server.data_dir.glob("snapshot-*.dms")) != written
    server.start()
    assert server.status()["recovery"]["replayed_records"] == 0
    assert [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]] == ["kept", "new"]


def test_reads_are_not_journaled(server: DurableServer) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="bucket-1")
    s3.list_buckets()  # the first builds IAM's backends of other partitions: journaled
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


@pytest.mark.parametrize("policy", ["everysec", "no"])
def test_relaxed_fsync_policies_survive_a_process_crash(tmp_path: Path, policy: str) -> None:
    """kill -9 loses nothing with any policy: the bytes are in the OS already."""
    relaxed = DurableServer(tmp_path / policy)
    relaxed.start("--fsync", policy)
    try:
        relaxed.client("s3").create_bucket(Bucket=f"fsync-{policy}")
        assert relaxed.status()["fsync"] == policy
        relaxed.kill()
        relaxed.start("--fsync", policy)
        assert [b["Name"] for b in relaxed.client("s3").list_buckets()["Buckets"]] == [
            f"fsync-{policy}"
        ]
    finally:
        relaxed.kill()


def test_malformed_requests_get_motos_answer_and_keep_the_journal_valid(
    server: DurableServer,
) -> None:
    broken = httpx.post(
        server.url,
        content=b"{not json",
        headers={
            "X-Amz-Target": "DynamoDB_20120810.CreateTable",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": (
                "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request"
            ),
        },
    )
    assert broken.status_code >= 400
    server.client("s3").create_bucket(Bucket="after-garbage")
    server.kill()
    server.start()
    assert server.status()["recovery"]["notes"] == []
    assert [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]] == ["after-garbage"]
