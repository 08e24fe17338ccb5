"""A real Moto server over HTTP in this process, for tests of processes that need one."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import httpx
from moto.server import ThreadedMotoServer

from devstack.waiting import free_port


@contextmanager
def moto_server() -> Iterator[str]:
    """Its URL; the state starts empty and is wiped afterwards (it is this process's Moto)."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    httpx.post(f"{url}/moto-api/reset")
    try:
        yield url
    finally:
        httpx.post(f"{url}/moto-api/reset")
        server.stop()


def client(endpoint: str, service: str) -> Any:
    """A boto3 client for that server, with fake credentials."""
    return boto3.client(  # type: ignore[call-overload]  # a name known at run time
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
