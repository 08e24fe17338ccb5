"""Requests exactly as written: HTTP clients normalize dot segments and refuse long URLs,
which is what the gateway itself must be tested against."""

import json
import socket
from typing import Any
from urllib.parse import urlsplit


def raw_request(base_url: str, method: str, target: str) -> tuple[int, dict[str, str], Any]:
    """Send ``method target`` as is; returns the status, headers (lower case) and JSON body."""
    address = urlsplit(base_url)
    assert address.hostname is not None
    with socket.create_connection((address.hostname, address.port), timeout=30) as conn:
        request = f"{method} {target} HTTP/1.1\r\nHost: {address.netloc}\r\nConnection: close"
        conn.sendall(f"{request}\r\n\r\n".encode())
        answer = b""
        while data := conn.recv(65536):
            answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, json.loads(body) if body else None
