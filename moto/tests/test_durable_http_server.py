"""The HTTP server in front of Moto: what reaches Moto, and what it refuses itself.

Moto must see what ``moto_server`` would hand it, so a header cannot be spoofed
by its underscored spelling; a request the server cannot parse is answered as a
problem document and changes nothing.
"""

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from durable_harness import DurableServer, create_table


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DurableServer]:
    server = DurableServer(tmp_path_factory.mktemp("http") / "data")
    server.start()
    yield server
    server.kill()


def raw_exchange(server: DurableServer, request: bytes) -> bytes:
    """Send bytes as they are; read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def dynamodb_call(server: DurableServer, headers: dict[str, str], body: object) -> int:
    base = {
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request"
        ", SignedHeaders=host, Signature=0",
    }
    response = httpx.post(server.url, headers=base | headers, content=json.dumps(body), timeout=30)
    return response.status_code


def table_names(server: DurableServer) -> list[str]:
    names: list[str] = server.client("dynamodb").list_tables()["TableNames"]
    return names


def test_an_underscored_header_never_stands_in_for_a_dashed_one(server: DurableServer) -> None:
    table = {
        "TableName": "spoofed",
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    create = "DynamoDB_20120810.CreateTable"
    dynamodb_call(server, {"X_Amz_Target": create}, table)  # alone: dropped, Moto sees no target
    dynamodb_call(
        server, {"X-Amz-Target": "DynamoDB_20120810.ListTables", "X_Amz_Target": create}, table
    )
    assert table_names(server) == []
    assert dynamodb_call(server, {"X-Amz-Target": create}, table) == 200
    assert table_names(server) == ["spoofed"]


@pytest.mark.parametrize(
    "request_line",
    [
        b"POST //moto-api/reset HTTP/1.1",  # read as an absolute-form target
        b"POST http://elsewhere/moto-api/reset HTTP/1.1",  # a proxy request
        b"GET / HTTP/9.9",  # 505, the one refusal outside 4xx
        b"GET / HTTP/1.1 trailing",
        b"get / HTTP/1.1",
        b"GET /#fragment HTTP/1.1",
        b"NONSENSE",
    ],
)
def test_a_request_it_cannot_parse_is_a_problem_document(
    server: DurableServer, request_line: bytes
) -> None:
    before = server.status()["journal"]["records"]
    answer = raw_exchange(server, request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert 400 <= status < 500 or status == 505, answer
    assert b"Content-Type: application/problem+json" in head
    assert json.loads(body)["status"] == status
    assert server.status()["journal"]["records"] == before


def test_headers_over_the_limit_are_refused_whole(server: DurableServer) -> None:
    headers = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"x" * 1000) for n in range(80))
    answer = raw_exchange(server, b"GET /moto-api/ HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert int(head.split(b" ", 2)[1]) == 413, head
    assert json.loads(body)["status"] == 413


def test_keep_alive_connections_carry_many_requests(server: DurableServer) -> None:
    """One connection, many writes and reads: each answer belongs to its own request."""
    db = create_table(server, "kept")
    for n in range(50):
        db.put_item(TableName="kept", Item={"k": {"S": f"k{n}"}, "v": {"N": str(n)}})
        item = db.get_item(TableName="kept", Key={"k": {"S": f"k{n}"}})["Item"]
        assert item["v"]["N"] == str(n)


def test_many_clients_keep_their_connections(server: DurableServer) -> None:
    """A stack holds dozens of pooled connections: none is closed after its answer."""
    clients = [httpx.Client(base_url=server.url, timeout=30) for _ in range(40)]
    try:
        for _ in range(2):
            for client in clients:
                response = client.get("/moto-api/")
                assert response.status_code == 200
                assert response.headers.get("connection", "").lower() != "close"
    finally:
        for client in clients:
            client.close()
