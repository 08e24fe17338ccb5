"""A real durable-moto server process for tests: start, stop, kill -9, restart."""

import http.server
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from durable_moto import runfiles


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class DurableServer:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        # Nothing a test compares may depend on how busy the machine is: the replay
        # budget is measured in seconds of execution (a busy machine would snapshot
        # earlier and change what a test replays; tests of the budget set their own),
        # and Moto issues a requested certificate once 60 s have passed since it.
        self.env = {
            "DURABLE_MOTO_REPLAY_BUDGET_SECONDS": "3600",
            "MOTO_ACM_VALIDATION_WAIT": "86400",
        } | env
        self.process: subprocess.Popen[str] | None = None
        self.log = data_dir.parent / f"{data_dir.name}.server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(
        self,
        *extra: str,
        expect_ready: bool = True,
        max_file_bytes: int | None = None,
        host: str | None = "127.0.0.1",
    ) -> None:
        """Start the server; ``max_file_bytes`` caps file sizes (RLIMIT_FSIZE) like a full disk.

        ``host=None`` leaves the address to the server's default.
        """
        command = [
            sys.executable, "-m", "durable_moto", "serve",
            *(["--host", host] if host else []),
            "--port", str(self.port), "--data-dir", str(self.data_dir),
            *extra,
        ]  # fmt: skip

        def limit_file_size() -> None:
            if max_file_bytes is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command,
                env=os.environ | self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                preexec_fn=limit_file_size,
            )
        if expect_ready:
            self.wait_ready()

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                if httpx.get(f"{self.url}/moto-api/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.output()}")

    def wait_exit(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no snapshot, no flush, nothing."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM: what `docker compose stop` sends; a final snapshot follows."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)

    def status(self) -> dict[str, Any]:
        data: dict[str, Any] = httpx.get(f"{self.url}/_durable/status", timeout=30).json()
        return data

    def admin_headers(self) -> dict[str, str]:
        """What the CLI sends: the token the server keeps in its data directory."""
        return {"Authorization": f"Bearer {runfiles.read_token(self.data_dir)}"}

    def compact(self) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/_durable/compact", headers=self.admin_headers(), timeout=120
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def client(self, service: str, *, region: str = "us-east-1", account: str | None = None) -> Any:
        client = boto3.client(  # type: ignore[call-overload]  # a name known at run time
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"mode": "standard", "max_attempts": 2}, read_timeout=60),
        )
        if account:

            def add_account(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-send.*", add_account)
        return client


class CountingEndpoint:
    """An HTTP server in the test process that counts the requests reaching it.

    It stands where something outside Moto would be (an SNS subscriber, a Docker
    engine) so a test can see from outside whether the server contacted it.
    Every request is answered ``status`` with an empty body.
    """

    def __init__(self, status: int = 200) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                endpoint.requests.append((self.command, self.path, self.rfile.read(length)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads ``requests``."""

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def create_table(server: DurableServer, name: str = "t") -> Any:
    """A table keyed by the string ``k``; returns the DynamoDB client."""
    db = server.client("dynamodb")
    db.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
    )
    return db


def assert_kept_after_restarts(
    server: DurableServer, read: Callable[[DurableServer], Any], answered: Any
) -> None:
    """``read(server)`` still answers ``answered`` after kill -9 and a start from the journal
    alone, then after a snapshot, kill -9 and a start from the snapshot."""
    server.kill()
    server.start()
    assert read(server) == answered
    server.compact()
    server.kill()
    server.start()
    assert read(server) == answered
