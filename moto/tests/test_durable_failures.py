"""Running out of disk, and long polls that must not hold the server hostage."""

import logging
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from durable_harness import DurableServer
from durable_moto import snapshot
from durable_moto import store as store_module
from durable_moto.config import DurableConfig, RecoverMode
from durable_moto.journal import JournalWriter, segment_name
from durable_moto.records import Record
from durable_moto.store import DurableStore, RecoveryError


def _create_until_refused(s3: Any, acknowledged: list[str]) -> None:
    for n in range(100):
        s3.create_bucket(Bucket=f"bucket-{n:03d}")
        acknowledged.append(f"bucket-{n:03d}")


def test_full_disk_fails_loudly_and_never_acknowledges_the_lost_write(tmp_path: Path) -> None:
    server = DurableServer(tmp_path / "data")
    server.start()
    server.client("s3").create_bucket(Bucket="before-the-limit")
    journal_size = server.status()["journal"]["bytes"]
    server.kill()
    # The journal may grow by about two records, then the "disk" is full.
    server.start(max_file_bytes=journal_size + 3000)
    s3 = server.client("s3")
    acknowledged: list[str] = []
    with pytest.raises(ClientError) as refused:
        _create_until_refused(s3, acknowledged)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert "journal write failed" in server.status()["write_failure"]
    with pytest.raises(ClientError):  # later writes are refused too, not half-kept
        s3.create_bucket(Bucket="after-the-failure")
    assert len(acknowledged) < 100

    server.kill()
    server.start()  # space again
    names = {b["Name"] for b in server.client("s3").list_buckets()["Buckets"]}
    assert names == {"before-the-limit", *acknowledged}
    server.kill()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB filesystem (tmpfs): a full disk, not a simulated one."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _objects(server: DurableServer) -> set[str]:
    listing = server.client("s3").list_objects_v2(Bucket="disk")
    return {item["Key"] for item in listing.get("Contents", [])}


def test_a_write_refused_on_a_full_disk_is_never_visible(small_disk: Path, tmp_path: Path) -> None:
    """The refused write is undone at once: no reader sees it, before or after a restart."""
    server = DurableServer(small_disk / "data")
    server.start()
    s3 = server.client("s3")
    s3.create_bucket(Bucket="disk")
    s3.put_object(Bucket="disk", Key="in-the-snapshot", Body=b"x" * 1000)
    server.compact()  # the undo starts from this snapshot, then replays the journal
    acknowledged = {"in-the-snapshot"}
    refused, status = None, 0
    for n in range(200):
        key = f"object-{n:03d}"
        try:
            s3.put_object(Bucket="disk", Key=key, Body=os.urandom(32 * 1024))
        except ClientError as error:
            refused, status = key, error.response["ResponseMetadata"]["HTTPStatusCode"]
            break
        acknowledged.add(key)
    assert refused is not None, "the disk never filled up"
    assert status == 503

    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket="disk", Key=refused)
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert _objects(server) == acknowledged
    assert "undid the refused write" in server.output()

    server.kill()
    moved = tmp_path / "bigger-disk"
    subprocess.run(["cp", "-a", str(small_disk / "data"), str(moved)], check=True)
    server.data_dir = moved
    server.start()
    assert _objects(server) == acknowledged
    server.kill()


def _poll_while_another_client_sends(
    server: DurableServer, queue: str, **receive: Any
) -> list[str]:
    """Start a receive, send while it waits, return what the receive got.

    If the waiting receive held the server, the send would queue behind it until
    the wait ran out, and the receive would come back empty.
    """
    received: list[dict[str, str]] = []
    polling = threading.Event()

    def poll() -> None:
        polling.set()
        answer = server.client("sqs").receive_message(QueueUrl=queue, **receive)
        received.extend(answer.get("Messages", []))

    poller = threading.Thread(target=poll)
    poller.start()
    polling.wait()
    server.client("sqs").send_message(QueueUrl=queue, MessageBody="wake up")
    poller.join(timeout=30)
    return [message["Body"] for message in received]


def test_long_poll_waits_without_blocking_other_clients(server: DurableServer) -> None:
    queue = server.client("sqs").create_queue(QueueName="inbox")["QueueUrl"]
    assert _poll_while_another_client_sends(server, queue, WaitTimeSeconds=20) == ["wake up"]


def test_empty_long_poll_returns_empty_after_its_wait(server: DurableServer) -> None:
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName="quiet")["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)
    server.kill()
    server.start()  # the journaled short polls replay without waiting
    assert server.status()["recovery"]["replayed_records"] >= 2


def test_queue_level_long_polling_does_not_hold_the_server(server: DurableServer) -> None:
    queue = server.client("sqs").create_queue(
        QueueName="patient", Attributes={"ReceiveMessageWaitTimeSeconds": "20"}
    )["QueueUrl"]
    assert _poll_while_another_client_sends(server, queue) == ["wake up"]


def _record(n: int) -> Record:
    return Record({"REQUEST_METHOD": "PUT", "PATH_INFO": f"/bucket-{n}"}, b"", n, 1e9 + n)


def _journal_through_store(store: DurableStore, records: list[Record]) -> list[Record]:
    """Append and make durable as the app does; the records the store acknowledged."""
    acknowledged = []
    for record in records:
        try:
            with store.lock:
                written = store.append(record)
            store.make_durable(written)
        except OSError:
            continue
        acknowledged.append(record)
    return acknowledged


def test_a_compaction_that_cannot_start_never_refuses_a_write_it_kept(tmp_path: Path) -> None:
    """The write that crosses the threshold is journaled before compaction starts: if
    the next segment cannot be created (full disk, a stray entry in the way), that
    write must not be answered "not persisted" while it is on disk, and the server
    goes on journaling."""
    config = DurableConfig(tmp_path, fsync="always", compact_after_records=2)
    store = DurableStore(config, "test-version")
    store.open(lambda record: None, lambda: None)
    (tmp_path / segment_name(1)).mkdir()  # the next segment cannot be created
    acknowledged = _journal_through_store(store, [_record(n) for n in range(4)])
    store.close()
    (tmp_path / segment_name(1)).rmdir()

    replayed: list[Record] = []
    store = DurableStore(config, "test-version")
    store.open(replayed.append, lambda: None)
    store.close()
    assert replayed == acknowledged, "what was answered 503 must not come back"
    assert len(acknowledged) == 4, "a failed compaction refuses no write"


def _snapshot_attempts(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    *,
    retry_seconds: float,
) -> int:
    """Six writes past the record backstop, with the next segment blocked: snapshots tried."""
    monkeypatch.setattr(store_module, "SNAPSHOT_RETRY_SECONDS", retry_seconds)
    data_dir.mkdir()
    store = DurableStore(DurableConfig(data_dir, compact_after_records=2), "test-version")
    store.open(lambda record: None, lambda: None)
    (data_dir / segment_name(1)).mkdir()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="durable_moto"):
        acknowledged = _journal_through_store(store, [_record(n) for n in range(8)])
    store.close()
    assert len(acknowledged) == 8
    return sum("could not start a snapshot" in r.getMessage() for r in caplog.records)


def test_a_failed_snapshot_is_tried_again_later_not_at_every_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """One failure used to stop every automatic snapshot, backstops included, until a
    restart: the journal, and so a crash's replay, grew without bound."""
    at_once = _snapshot_attempts(tmp_path / "a", monkeypatch, caplog, retry_seconds=0.0)
    assert at_once == 7  # every write from the backstop's second record on
    paused = _snapshot_attempts(tmp_path / "b", monkeypatch, caplog, retry_seconds=3600.0)
    assert paused == 1


def test_a_failed_snapshot_leaves_the_replay_estimate_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot's start sets the estimate to 0, the journal before it being cut; one that
    failed cut nothing. The estimate (and ``status``) then said a restart replayed far less
    than it would, and the retry waited for a whole budget more."""
    store = DurableStore(DurableConfig(tmp_path), "test-version")
    store.open(lambda record: None, lambda: None)
    _journal_through_store(store, [_record(0)])
    store.replay_cost.add(1.5)
    (tmp_path / snapshot.snapshot_name(1)).mkdir()  # the child cannot put it in place
    assert store.compact(wait=True) is not None
    assert store.replay_cost.seconds == pytest.approx(1.5)

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert "could not start a snapshot" in (store.compact(wait=True) or "")
    assert store.replay_cost.seconds == pytest.approx(1.5)
    store.close()


def _torn_journal(data_dir: Path) -> tuple[bytes, list[Record]]:
    """A segment of five records whose last write was cut short by a crash."""
    data_dir.mkdir()
    records = [_record(n) for n in range(5)]
    writer = JournalWriter(data_dir / segment_name(0), "test-version", "no")
    for record in records:
        writer.append(record)
    writer.close()
    torn = (data_dir / segment_name(0)).read_bytes()[:-3]
    (data_dir / segment_name(0)).write_bytes(torn)
    return torn, records


def _start(data_dir: Path, recover: RecoverMode) -> list[Record]:
    replayed: list[Record] = []
    store = DurableStore(DurableConfig(data_dir, recover=recover), "test-version")
    try:
        store.open(replayed.append, lambda: None)
    finally:
        store.close()
    return replayed


def test_a_full_disk_at_start_up_is_refused_clearly_with_no_partial_copy(small_disk: Path) -> None:
    """Cutting a torn tail needs a copy in quarantine first; with no room for it the start
    is refused with a message (not a traceback), and no half-written file poses as a copy."""
    data_dir = small_disk / "data"
    torn, records = _torn_journal(data_dir)
    filler = small_disk / "filler"
    with pytest.raises(OSError, match="No space left"), filler.open("wb") as out:
        out.write(bytes(4 << 20))
    for recover in ("strict", "last-good"):
        with pytest.raises(RecoveryError, match="No space left"):
            _start(data_dir, recover)
        assert (data_dir / segment_name(0)).read_bytes() == torn
        copies = (
            list((data_dir / "quarantine").glob("*")) if (data_dir / "quarantine").exists() else []
        )
        assert copies == [], "a copy that could not be finished is no copy"
    filler.unlink()
    assert _start(data_dir, "strict") == records[:4]


def test_a_read_only_data_directory_is_refused_clearly(small_disk: Path) -> None:
    data_dir = small_disk / "data"
    _torn_journal(data_dir)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        for recover in ("strict", "last-good"):
            with pytest.raises(RecoveryError, match="Read-only file system"):
                _start(data_dir, recover)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
