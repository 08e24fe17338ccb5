"""Damaged files: each is detected, nothing is deleted, and the server says what to do."""

import json
from pathlib import Path

from durable_harness import DurableServer
from durable_moto.frames import HEADER, frame, read_whole, scan_frames
from durable_moto.journal import MAGIC as JOURNAL_MAGIC
from durable_moto.snapshot import MAGIC


def _journal(server: DurableServer) -> Path:
    (path,) = sorted(server.data_dir.glob("journal-*.log"))[-1:]
    return path


def _make_buckets(server: DurableServer, *names: str) -> None:
    s3 = server.client("s3")
    for name in names:
        s3.create_bucket(Bucket=name)


def _buckets(server: DurableServer) -> list[str]:
    return sorted(b["Name"] for b in server.client("s3").list_buckets()["Buckets"])


def test_torn_tail_is_cut_off_and_logged(server: DurableServer) -> None:
    _make_buckets(server, "kept-1", "kept-2")
    server.kill()
    journal = _journal(server)
    with journal.open("ab") as out:  # a crash in the middle of writing a record
        out.write(HEADER.pack(500, 0) + b"partial")
    size_with_tear = journal.stat().st_size
    torn = journal.read_bytes()
    server.start()
    notes = server.status()["recovery"]["notes"]
    assert any("unfinished last write" in note for note in notes), notes
    copies = [copy.read_bytes() for copy in (server.data_dir / "quarantine").glob("*.log")]
    assert copies == [torn], "nothing is cut without a copy"
    assert journal.stat().st_size == size_with_tear - len(HEADER.pack(500, 0) + b"partial")
    assert _buckets(server) == ["kept-1", "kept-2"]
    _make_buckets(server, "after-tear")  # the journal is appendable again
    server.kill()
    server.start()
    assert _buckets(server) == ["after-tear", "kept-1", "kept-2"]


def test_flipped_byte_refuses_then_last_good_keeps_the_prefix(server: DurableServer) -> None:
    _make_buckets(server, "first", "second", "third")
    server.kill()
    journal = _journal(server)
    data = bytearray(journal.read_bytes())
    data[-20] ^= 0xFF  # inside the last record: third
    journal.write_bytes(bytes(data))
    original = bytes(data)

    server.start(expect_ready=False)
    assert server.wait_exit() == 3
    message = server.output()
    assert "checksum mismatch" in message
    assert "--recover=last-good" in message
    assert (server.data_dir / "RECOVERY_NEEDED").exists()
    copies = list((server.data_dir / "quarantine").glob("*journal-*.log"))
    assert [copy.read_bytes() for copy in copies] == [original]

    server.start(expect_ready=False)  # still refused: nobody decided yet
    assert server.wait_exit() == 3

    server.start("--recover", "last-good")
    assert _buckets(server) == ["first", "second"]
    assert not (server.data_dir / "RECOVERY_NEEDED").exists()


def test_truncated_snapshot_is_moved_aside_and_previous_generation_recovers_all(
    server: DurableServer,
) -> None:
    _make_buckets(server, "gen-1")
    server.compact()
    _make_buckets(server, "gen-2")
    server.compact()
    _make_buckets(server, "tail")
    server.kill()
    newest = sorted(server.data_dir.glob("snapshot-*.dms"))[-1]
    newest.write_bytes(newest.read_bytes()[:-10])

    server.start(expect_ready=False)
    assert server.wait_exit() == 3
    assert "truncated" in server.output()
    assert not newest.exists()
    assert list((server.data_dir / "quarantine").glob(f"*{newest.name}"))

    server.start("--recover", "last-good")
    # The older snapshot plus the journal kept since it rebuild everything.
    assert _buckets(server) == ["gen-1", "gen-2", "tail"]


def test_snapshot_from_another_moto_version_is_refused(server: DurableServer) -> None:
    _make_buckets(server, "versioned")
    server.stop()  # writes a snapshot
    snapshot = sorted(server.data_dir.glob("snapshot-*.dms"))[-1]
    data = snapshot.read_bytes()
    payloads = read_whole(data, len(MAGIC))
    header = json.loads(payloads[0])
    header["moto"] = "0.0.1"
    rest = b"".join(frame(payload) for payload in payloads[1:])
    snapshot.write_bytes(MAGIC + frame(json.dumps(header).encode()) + rest)

    server.start(expect_ready=False)
    assert server.wait_exit() == 3
    assert "Moto 0.0.1" in server.output()


def _put_items(server: DurableServer, count: int) -> None:
    dynamodb = server.client("dynamodb")
    dynamodb.create_table(
        TableName="items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(count):
        dynamodb.put_item(TableName="items", Item={"id": {"S": f"item-{n:03d}"}})


def _item_count(server: DurableServer) -> int:
    count: int = server.client("dynamodb").scan(TableName="items", Select="COUNT")["Count"]
    return count


def test_a_flipped_length_in_the_middle_is_refused_not_taken_for_a_torn_tail(
    server: DurableServer,
) -> None:
    """200 acknowledged PutItems, one bit flipped in the length of the 122nd's record."""
    _put_items(server, 200)
    server.kill()
    journal = _journal(server)
    data = bytearray(journal.read_bytes())
    scan = scan_frames(bytes(data), len(JOURNAL_MAGIC))
    offset, _ = scan.frames[1 + 1 + 121]  # the segment header, CreateTable, 121 PutItems
    data[offset] ^= 0x01  # the length's high byte: it now runs past the end of the file
    journal.write_bytes(bytes(data))

    server.start(expect_ready=False)
    assert server.wait_exit() == 3
    assert "intact record follows" in server.output()
    copies = [copy.read_bytes() for copy in (server.data_dir / "quarantine").glob("*.log")]
    assert copies == [bytes(data)]
    assert journal.read_bytes() == bytes(data), "a refusal changes nothing"

    server.start("--recover", "last-good")
    assert _item_count(server) == 121  # the CreateTable record and 121 PutItems replayed
    assert any("122 intact records" in note for note in server.status()["recovery"]["notes"])


def test_a_zero_filled_tail_is_cut_with_a_copy_not_a_crash(server: DurableServer) -> None:
    """What a power loss can leave: the size grew, the blocks were never written."""
    _put_items(server, 20)
    server.kill()
    journal = _journal(server)
    intact = journal.read_bytes()
    with journal.open("ab") as out:
        out.write(bytes(8192))

    server.start()
    assert _item_count(server) == 20
    notes = server.status()["recovery"]["notes"]
    assert any("zero bytes" in note and "unfinished last write" in note for note in notes)
    assert journal.read_bytes() == intact
    copies = [copy.read_bytes() for copy in (server.data_dir / "quarantine").glob("*.log")]
    assert copies == [intact + bytes(8192)]
