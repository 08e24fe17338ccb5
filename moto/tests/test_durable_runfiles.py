"""What the server leaves in its data directory: its address and a private admin token.

The CLI finds its own server through them, whoever else listens on port 4566.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from durable_harness import DurableServer
from durable_moto.runfiles import ADDRESS_FILE, HASH_SEED_FILE, TOKEN_FILE, TOKEN_VARIABLE

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI with none of the caller's pointers to some other server."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in ("MOTO_DATA_DIR", "DURABLE_MOTO_URL", "AWS_ENDPOINT_URL", TOKEN_VARIABLE)
    }
    return subprocess.run(
        [sys.executable, "-m", "durable_moto", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=inherited | env,
        check=False,
    )


def status_via(*args: str, **env: str) -> dict[str, Any]:
    result = cli("status", *args, **env)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_token_is_private_stable_and_the_address_goes_at_a_clean_stop(tmp_path: Path) -> None:
    server = DurableServer(tmp_path / "data")
    server.start()
    try:
        token = server.data_dir / TOKEN_FILE
        assert stat.S_IMODE(token.stat().st_mode) == 0o600
        first = token.read_text()
        assert len(first.strip()) >= 40
        address = json.loads((server.data_dir / ADDRESS_FILE).read_text())
        assert address == {"host": "127.0.0.1", "port": server.port, "pid": server.process.pid}  # type: ignore[union-attr]
        server.stop()
        assert not (server.data_dir / ADDRESS_FILE).exists()
        token.chmod(0o644)  # e.g. restored from a backup that lost the mode
        server.start()
        assert token.read_text() == first
        assert stat.S_IMODE(token.stat().st_mode) == 0o600
    finally:
        server.kill()


def test_each_directory_hashes_with_a_secret_seed_of_its_own(new_server: Any) -> None:
    """A fixed seed keeps hash order across restarts; a public one would let a client
    compute colliding keys (hash flooding)."""
    servers: list[DurableServer] = [new_server(name) for name in ("a", "b")]
    seeds = []
    for server in servers:
        server.start()
        path = server.data_dir / HASH_SEED_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        seeds.append(path.read_text().strip())
        assert server.process is not None
        environ = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
        assert f"PYTHONHASHSEED={seeds[-1]}".encode() in environ
    assert seeds[0] != seeds[1]
    servers[0].kill()
    servers[0].start()
    assert (servers[0].data_dir / HASH_SEED_FILE).read_text().strip() == seeds[0]


def test_the_cli_finds_the_server_of_its_data_directory(tmp_path: Path) -> None:
    first, second = DurableServer(tmp_path / "first"), DurableServer(tmp_path / "second")
    first.start()
    second.start()
    try:
        first.client("s3").create_bucket(Bucket="only-in-first")
        assert status_via("--data-dir", str(first.data_dir))["data_dir"] == str(first.data_dir)
        assert status_via(MOTO_DATA_DIR=str(second.data_dir))["data_dir"] == str(second.data_dir)
        # A state-wide action: the token beside the address file goes with it.
        compacted = cli("compact", "--data-dir", str(first.data_dir))
        assert compacted.returncode == 0, compacted.stderr
        assert first.status()["last_snapshot"]["file"] == "snapshot-00000001.dms"
        assert second.status()["last_snapshot"] is None
        # The other server's token is no good here.
        wrong = cli("reset", "--url", first.url, **{TOKEN_VARIABLE: "not-the-token"})
        assert wrong.returncode != 0
        assert "wrong admin token" in wrong.stderr
        assert "only-in-first" in [b["Name"] for b in first.client("s3").list_buckets()["Buckets"]]
    finally:
        first.kill()
        second.kill()


def test_the_cli_says_when_no_server_runs_for_a_directory(tmp_path: Path) -> None:
    never = cli("status", "--data-dir", str(tmp_path / "never-used"))
    assert never.returncode != 0
    assert "no durable-moto server is running for" in never.stderr
    server = DurableServer(tmp_path / "data")
    server.start()
    server.stop()
    stopped = cli("compact", "--data-dir", str(server.data_dir))
    assert "no durable-moto server is running for" in stopped.stderr
    server.start()
    server.kill()  # kill -9 leaves the address file behind
    crashed = cli("status", "--data-dir", str(server.data_dir))
    assert crashed.returncode != 0
    assert "has gone without a clean stop" in crashed.stderr


def test_a_token_from_the_environment(tmp_path: Path) -> None:
    server = DurableServer(tmp_path / "data", **{TOKEN_VARIABLE: "a-token-from-the-environment"})
    server.start()
    try:
        assert not (server.data_dir / TOKEN_FILE).exists()
        without = cli("compact", "--url", server.url)
        assert without.returncode != 0
        assert "needs the admin token" in without.stderr
        ok = cli("compact", "--url", server.url, **{TOKEN_VARIABLE: "a-token-from-the-environment"})
        assert ok.returncode == 0, ok.stderr
    finally:
        server.kill()


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the TCP sockets listening on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_serve_listens_on_loopback_unless_told_otherwise(tmp_path: Path) -> None:
    server = DurableServer(tmp_path / "data", MOTO_HOST="")
    server.start(host=None)
    try:
        assert listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1, nothing else
        assert json.loads((server.data_dir / ADDRESS_FILE).read_text())["host"] == "127.0.0.1"
    finally:
        server.kill()
    # The image is the one place that says otherwise, in so many words.
    assert '"--host", "0.0.0.0"' in DOCKERFILE.read_text()
