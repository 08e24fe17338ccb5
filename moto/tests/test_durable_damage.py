"""Damage that nobody hand-picked: hundreds of random cuts, flips, zero and garbage runs.

Each case damages a real journal segment (written by ``JournalWriter``, records
shaped like the ones the server writes, binary bodies with zero runs among
them), then starts a store on it in both recovery modes and holds the outcome
to the rules in moto/README.md:

* strict either replays every record that is intact before the damage, when
  nothing intact follows it (a torn tail), or refuses; never fewer without
  refusing;
* a refusal leaves the journal as it was and a byte-identical copy in
  ``quarantine/``; whatever is cut has a byte-identical copy there first;
* last-good always starts, with exactly the records intact before the damage.

The replayer here collects records instead of executing them: what is under
test is which records recovery hands to Moto, and the server tests
(test_durable_corruption.py) show the same end to end.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from durable_moto.config import DurableConfig, RecoverMode
from durable_moto.frames import HEADER, frame
from durable_moto.journal import MAGIC, JournalWriter, segment_name
from durable_moto.records import Record
from durable_moto.store import DurableStore, RecoveryError

VERSION = "test-version"
CASES_PER_KIND = 40


@dataclass(frozen=True)
class Journal:
    data: bytes
    records: list[Record]
    spans: list[tuple[int, int]]
    """Each record frame's ``(start, end)`` byte offsets."""


def _records(rng: random.Random) -> list[Record]:
    records = []
    for n in range(30):
        body = f'{{"TableName":"orders","Item":{{"id":{{"S":"order-{n}"}}}}}}'.encode()
        if n % 4 == 0:  # binary bodies (S3 objects), zero runs included
            body = rng.randbytes(rng.randrange(1, 300)) + bytes(rng.randrange(0, 64))
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/",
            "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem",
            "wsgi.url_scheme": "http",
        }
        records.append(Record(environ, body, seed=rng.getrandbits(64), timestamp=1e9 + n))
    return records


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Journal:
    rng = random.Random(20261129)
    path = tmp_path_factory.mktemp("journal") / segment_name(0)
    writer = JournalWriter(path, VERSION, "no")
    records = _records(rng)
    spans = []
    for record in records:
        start = writer.size
        spans.append((start, writer.append(record)))
    writer.close()
    return Journal(path.read_bytes(), records, spans)


def _bit_flip(rng: random.Random, data: bytes, spans: list[tuple[int, int]]) -> bytes:
    damaged = bytearray(data)
    where = rng.randrange(len(MAGIC), len(data))
    if rng.random() < 0.3:  # headers hold the lengths: aim at them often
        where = rng.choice(spans)[0] + rng.randrange(HEADER.size)
    damaged[where] ^= 1 << rng.randrange(8)
    return bytes(damaged)


def _run(rng: random.Random, data: bytes, fill: Callable[[int], bytes]) -> bytes:
    start = rng.randrange(len(data))
    length = rng.randrange(1, 600)
    return data[:start] + fill(length) + data[start + length :]


def _at_boundary(rng: random.Random, data: bytes, spans: list[tuple[int, int]]) -> int:
    return rng.choice([start for start, _ in spans] + [len(data)])


DAMAGE: dict[str, Callable[[random.Random, Journal], bytes]] = {
    "bit flip": lambda rng, j: _bit_flip(rng, j.data, j.spans),
    "zero run": lambda rng, j: _run(rng, j.data, bytes),
    "garbage run": lambda rng, j: _run(rng, j.data, rng.randbytes),
    "truncation": lambda rng, j: j.data[: rng.randrange(len(j.data))],
    "truncation at a record boundary": lambda rng, j: j.data[: _at_boundary(rng, j.data, j.spans)],
    "zeros from a record boundary": lambda rng, j: (
        j.data[: _at_boundary(rng, j.data, j.spans)] + bytes(rng.randrange(1, 8192))
    ),
    "zero-filled tail": lambda rng, j: (
        j.data[: (cut := rng.randrange(len(j.data)))] + bytes(len(j.data) - cut)
    ),
}


@dataclass(frozen=True)
class Expected:
    intact_before: int
    """Records wholly before the first changed byte."""
    intact_after: bool
    """Whether any record after the damage is still there, unchanged, where it was."""


def _expected(journal: Journal, damaged: bytes) -> Expected:
    original = journal.data
    first = next(
        (i for i, (a, b) in enumerate(zip(original, damaged, strict=False)) if a != b),
        min(len(original), len(damaged)),
    )
    before = sum(1 for _, end in journal.spans if end <= first)
    after = any(
        start > first and damaged[start:end] == original[start:end] for start, end in journal.spans
    )
    return Expected(before, after)


def _open(data_dir: Path, mode: RecoverMode) -> tuple[list[Record], DurableStore]:
    replayed: list[Record] = []
    store = DurableStore(DurableConfig(data_dir, fsync="no", recover=mode), VERSION)
    try:
        store.open(replayed.append, lambda: None)
    finally:
        store.close()
    return replayed, store


def _replayed_or_refusal(data_dir: Path, mode: RecoverMode) -> list[Record] | str:
    """The records a start replays, or the refusal's message."""
    try:
        return _open(data_dir, mode)[0]
    except RecoveryError as refusal:
        return str(refusal)


def _quarantined(data_dir: Path) -> list[bytes]:
    folder = data_dir / "quarantine"
    return [p.read_bytes() for p in folder.glob("*.log")] if folder.exists() else []


def _cases() -> list[tuple[str, int]]:
    return [(kind, n) for kind in DAMAGE for n in range(CASES_PER_KIND)]


@pytest.mark.parametrize(("kind", "case"), _cases())
def test_random_damage_is_refused_or_cut_with_a_copy_never_lost_quietly(
    journal: Journal, tmp_path: Path, kind: str, case: int
) -> None:
    rng = random.Random(f"{kind}-{case}")
    damaged = DAMAGE[kind](rng, journal)
    if damaged == journal.data:
        pytest.skip("this draw changed nothing")
    expected = _expected(journal, damaged)
    for mode in ("strict", "last-good"):
        data_dir = tmp_path / mode
        data_dir.mkdir()
        path = data_dir / segment_name(0)
        path.write_bytes(damaged)
        replayed = _replayed_or_refusal(data_dir, mode)
        if isinstance(replayed, str):
            assert mode == "strict", f"last-good must always start: {replayed}"
            assert path.read_bytes() == damaged, "a refusal changes nothing"
            assert damaged in _quarantined(data_dir), "a refusal keeps a byte-identical copy"
            assert "--recover=last-good" in replayed
            continue
        if mode == "strict":
            assert not expected.intact_after, "strict served a journal with intact records cut"
        assert replayed == journal.records[: expected.intact_before], (
            f"{mode}: replayed {len(replayed)}, {expected.intact_before} were intact"
        )
        if path.read_bytes() != damaged:
            assert damaged in _quarantined(data_dir), "nothing is cut without a copy"


def test_an_empty_segment_is_no_damage(tmp_path: Path) -> None:
    (tmp_path / segment_name(0)).write_bytes(b"")
    replayed, store = _open(tmp_path, "strict")
    assert replayed == []
    assert store.recovery.notes == []


def test_damage_before_a_later_segment_is_never_a_torn_tail(
    journal: Journal, tmp_path: Path
) -> None:
    """A segment is closed (fsynced) before the next starts: its tail cannot be torn."""
    cut = journal.spans[10][0] + 5
    (tmp_path / segment_name(0)).write_bytes(journal.data[:cut])
    (tmp_path / segment_name(1)).write_bytes(journal.data)
    with pytest.raises(RecoveryError, match="later ones follow"):
        _open(tmp_path, "strict")


def _s3_put(body: bytes, n: int) -> Record:
    environ = {"REQUEST_METHOD": "PUT", "PATH_INFO": f"/bucket/object-{n}"}
    return Record(environ, body, seed=n, timestamp=1e9 + n)


def _write_journal(path: Path, records: list[Record]) -> list[tuple[int, int]]:
    writer = JournalWriter(path, VERSION, "no")
    spans = []
    for record in records:
        start = writer.size
        spans.append((start, writer.append(record)))
    writer.close()
    return spans


@pytest.mark.parametrize("flipped", ["checksum", "body"])
def test_a_whole_last_record_ending_in_zeros_with_a_flipped_bit_is_refused(
    tmp_path: Path, flipped: str
) -> None:
    """A file whose last bytes are zeros (a tar archive ends with 1 KiB of them) is an
    ordinary S3 object. The last record holding it, whole and acknowledged, then
    damaged by one bit, is damage (README rule 3), not an unfinished write."""
    records = [_s3_put(b"first object", 0), _s3_put(b"ustar archive" + bytes(1024), 1)]
    path = tmp_path / segment_name(0)
    spans = _write_journal(path, records)
    damaged = bytearray(path.read_bytes())
    last = spans[-1][0]
    where = last + 4 if flipped == "checksum" else last + HEADER.size + 20
    damaged[where] ^= 0x01
    path.write_bytes(bytes(damaged))
    with pytest.raises(RecoveryError, match="damaged"):
        _open(tmp_path, "strict")
    assert path.read_bytes() == bytes(damaged), "a refusal changes nothing"
    assert bytes(damaged) in _quarantined(tmp_path)
    replayed, _ = _open(tmp_path, "last-good")
    assert replayed == records[:1]


def test_a_closed_segment_cut_at_a_record_boundary_is_damage(tmp_path: Path) -> None:
    """A segment is closed before the next starts, so its end is known: one that ends
    early lost acknowledged records, even when it ends exactly between two of them.
    Here no snapshot was written (it failed), so recovery replays both segments."""
    records = [_s3_put(f"object {n}".encode(), n) for n in range(8)]
    store = DurableStore(DurableConfig(tmp_path, fsync="no"), VERSION)
    store.open(lambda record: None, lambda: None)
    (tmp_path / "snapshot-00000001.dms").mkdir()  # the snapshot fails; the journal keeps all
    with store.lock:
        for record in records[:5]:
            store.append(record)
        with pytest.raises(OSError, match="Is a directory"):
            store.compact_in_process()
        for record in records[5:]:
            store.append(record)
    store.close()
    (tmp_path / "snapshot-00000001.dms").rmdir()
    first = tmp_path / segment_name(0)
    whole = first.read_bytes()
    cut = whole[: len(whole) - len(frame(records[4].encode()))]  # the last record is gone
    first.write_bytes(cut)

    with pytest.raises(RecoveryError, match=segment_name(0)):
        _open(tmp_path, "strict")
    assert first.read_bytes() == cut
    assert cut in _quarantined(tmp_path)
    replayed, _ = _open(tmp_path, "last-good")
    assert replayed == records[:4], "what follows a gap must not be replayed over it"
