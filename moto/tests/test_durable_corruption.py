"""Damaged files: each is detected, nothing is deleted, and the server says what to do."""

import json
from pathlib import Path

from durable_harness import DurableServer
from durable_moto.frames import HEADER, frame, read_frames
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
    server.start()
    notes = server.status()["recovery"]["notes"]
    assert any("torn last record" in note for note in notes), notes
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
    frames = list(read_frames(data, len(MAGIC)))
    header = json.loads(frames[0][1])  # type: ignore[index]
    header["moto"] = "0.0.1"
    rest = b"".join(frame(item[1]) for item in frames[1:])  # type: ignore[index]
    snapshot.write_bytes(MAGIC + frame(json.dumps(header).encode()) + rest)

    server.start(expect_ready=False)
    assert server.wait_exit() == 3
    assert "Moto 0.0.1" in server.output()
