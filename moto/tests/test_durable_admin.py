"""Operations through the CLI and the admin endpoints: status, compact, export, import, reset."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from durable_harness import DurableServer


def cli(server: DurableServer, *args: str) -> str:
    """As a user runs it: given the data directory, it finds the server and its token."""
    result = subprocess.run(
        [sys.executable, "-m", "durable_moto", *args, "--data-dir", str(server.data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_status_describes_the_data_directory(server: DurableServer) -> None:
    server.client("dynamodb", region="eu-west-1").create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
    )
    status = json.loads(cli(server, "status"))
    assert status["fsync"] == "always"
    assert status["journal"]["records"] == 1
    assert status["journal"]["bytes"] > 0
    assert "eu-west-1" in status["services"]["dynamodb"]["regions"]
    json.loads(cli(server, "compact"))
    after = server.status()
    assert after["last_snapshot"]["file"] == "snapshot-00000001.dms"
    assert after["journal"]["records"] == 0


def test_export_then_import_reproduces_the_state_elsewhere(
    server: DurableServer, tmp_path: Path
) -> None:
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName="shared")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="from a colleague")
    archive = tmp_path / "state.dms"
    cli(server, "export", str(archive))
    assert archive.stat().st_mode & 0o777 == 0o600  # the state's secrets: owner-only

    colleague = DurableServer(tmp_path / "colleague")
    colleague.start()
    try:
        colleague.client("s3").create_bucket(Bucket="replaced-by-import")
        cli(colleague, "import", str(archive))
        colleague.kill()  # the import is durable at once
        colleague.start()
        assert colleague.client("s3").list_buckets()["Buckets"] == []
        their_sqs = colleague.client("sqs")
        message = their_sqs.receive_message(QueueUrl=queue)["Messages"][0]
        assert message["Body"] == "from a colleague"
    finally:
        colleague.kill()


def test_import_rejects_a_damaged_archive(server: DurableServer) -> None:
    response = httpx.post(
        f"{server.url}/_durable/import", content=b"DMS1 not really", headers=server.admin_headers()
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "not a usable state archive" in response.json()["detail"]


def test_reset_empties_everything_durably(server: DurableServer) -> None:
    server.client("s3").create_bucket(Bucket="doomed")
    cli(server, "reset")
    server.kill()
    server.start()
    assert server.client("s3").list_buckets()["Buckets"] == []


def test_inside_the_image_the_cli_needs_no_flags(server: DurableServer) -> None:
    """What `make snapshot-*` runs in the moto container: MOTO_DATA_DIR set, archive on a pipe."""
    env = os.environ | {"MOTO_DATA_DIR": str(server.data_dir)}
    env.pop("DURABLE_MOTO_URL", None)
    env.pop("DURABLE_MOTO_ADMIN_TOKEN", None)
    server.client("s3").create_bucket(Bucket="saved")
    command = [sys.executable, "-m", "durable_moto"]
    exported = subprocess.run(
        [*command, "export", "-"], env=env, capture_output=True, timeout=120, check=True
    )
    assert exported.stdout.startswith(b"DMS1")
    server.client("s3").create_bucket(Bucket="not-saved")
    subprocess.run(
        [*command, "import", "-"], env=env, input=exported.stdout, timeout=120, check=True
    )
    assert [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]] == ["saved"]


def _bucket_names(server: DurableServer) -> list[str]:
    return sorted(bucket["Name"] for bucket in server.client("s3").list_buckets()["Buckets"])


def _block_next_snapshots(server: DurableServer, count: int) -> list[Path]:
    """Directories where the next snapshots would go: they cannot be put in place."""
    current = int(server.status()["journal"]["segment"].split("-")[1].split(".")[0])
    blocked = [
        server.data_dir / f"snapshot-{n:08d}.dms" for n in range(current + 1, current + count)
    ]
    for path in blocked:
        path.mkdir()
    return blocked


def test_a_reset_or_import_that_cannot_be_snapshotted_is_refused_and_never_visible(
    server: DurableServer,
) -> None:
    """Neither is a journal record: its snapshot is its only durable form. When that
    snapshot cannot be written, the answer must say so and memory must go back to what
    is on disk; otherwise readers see a state a restart forgets, and later writes are
    journaled on top of it."""
    server.client("s3").create_bucket(Bucket="kept")
    archive = httpx.get(
        f"{server.url}/_durable/export", timeout=60, headers=server.admin_headers()
    ).content
    server.client("s3").create_bucket(Bucket="kept-too")
    blocked = _block_next_snapshots(server, 6)

    reset = httpx.post(f"{server.url}/_durable/reset", timeout=60, headers=server.admin_headers())
    assert reset.status_code == 503, reset.text
    assert _bucket_names(server) == ["kept", "kept-too"]
    imported = httpx.post(
        f"{server.url}/_durable/import", content=archive, timeout=60, headers=server.admin_headers()
    )
    assert imported.status_code == 503, imported.text
    assert _bucket_names(server) == ["kept", "kept-too"]
    server.client("s3").create_bucket(Bucket="after-them")

    server.kill()
    for path in blocked:
        path.rmdir()
    server.start()
    assert _bucket_names(server) == ["after-them", "kept", "kept-too"]

    # Moto's own reset is journaled: its snapshot failing loses nothing, refuses nothing.
    blocked = _block_next_snapshots(server, 3)
    assert httpx.post(f"{server.url}/moto-api/reset", timeout=60).status_code == 200
    assert _bucket_names(server) == []
    server.kill()
    for path in blocked:
        path.rmdir()
    server.start()
    assert _bucket_names(server) == []


def test_last_good_never_replays_writes_made_after_an_import_over_the_state_before_it(
    server: DurableServer,
) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="before")
    archive = httpx.get(
        f"{server.url}/_durable/export", timeout=60, headers=server.admin_headers()
    ).content
    s3.create_bucket(Bucket="pre-import")
    server.compact()  # snapshot 1: the previous generation
    s3.create_bucket(Bucket="between")
    imported = httpx.post(
        f"{server.url}/_durable/import", content=archive, timeout=60, headers=server.admin_headers()
    )
    assert imported.status_code == 200, imported.text  # snapshot 2: just "before"
    s3.create_bucket(Bucket="after")
    server.kill()
    newest = server.data_dir / "snapshot-00000002.dms"
    damaged = bytearray(newest.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    newest.write_bytes(bytes(damaged))

    server.start("--recover", "last-good")
    # Everything intact before the damage is the state up to the import; "after" was
    # made on the imported state and means nothing without it. Never a mix of both.
    assert _bucket_names(server) == ["before", "between", "pre-import"]
