"""The HTTP server in front of Moto: what reaches Moto, and what it refuses itself.

Moto must see what ``moto_server`` would hand it, so a header cannot be spoofed
by its underscored spelling; a request the server cannot parse is answered as a
problem document and changes nothing. Its pool of workers starts without
waiting for each worker to run.
"""

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, BinaryIO

import httpx
import pytest
from cheroot.workers import threadpool

from durable_harness import DurableServer, create_table
from durable_moto.http_server import HttpServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DurableServer]:
    server = DurableServer(tmp_path_factory.mktemp("http") / "data")
    server.start()
    yield server
    server.kill()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


def read_answer(stream: BinaryIO) -> Answer:
    """One HTTP/1.1 response, framed by Content-Length or chunked (without trailers)."""
    status = int(stream.readline().split(b" ", 2)[1])
    headers = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        chunks = []
        while size := int(stream.readline().split(b";")[0], 16):
            chunks.append(stream.read(size))
            stream.read(2)
        stream.readline()
        return Answer(status, headers, b"".join(chunks))
    return Answer(status, headers, stream.read(int(headers.get("content-length", 0))))


def raw_exchange(server: DurableServer, request: bytes, *, hang_up: bool = False) -> Answer:
    """Send bytes as they are (``hang_up``: then end the sending side); read the answer.

    The server must close the connection after it: this waits for the close.
    """
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(request)
        if hang_up:
            connection.shutdown(socket.SHUT_WR)
        with connection.makefile("rb") as stream:
            answer = read_answer(stream)
            with contextlib.suppress(ConnectionResetError):  # a close with bytes unread
                assert stream.read() == b"", "more after the answer"
    return answer


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
    assert 400 <= answer.status < 500 or answer.status == 505, answer
    assert answer.headers["content-type"] == "application/problem+json"
    assert json.loads(answer.body)["status"] == answer.status
    assert server.status()["journal"]["records"] == before


def test_headers_over_the_limit_are_refused_whole(server: DurableServer) -> None:
    headers = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"x" * 1000) for n in range(80))
    answer = raw_exchange(server, b"GET /moto-api/ HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer.status == 413, answer
    assert json.loads(answer.body)["status"] == 413


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


TABLE = json.dumps(
    {
        "TableName": "framed",
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
).encode()
LENGTH = str(len(TABLE)).encode()


def dynamodb_request(target: str, framing: bytes, body: bytes, version: bytes = b"1.1") -> bytes:
    """A DynamoDB call as raw bytes, its body framed by the header lines ``framing``."""
    return (
        b"POST / HTTP/%s\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.%s\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request"
        b", SignedHeaders=host, Signature=0\r\n%s\r\n\r\n%s"
    ) % (version, target.encode(), framing, body)


def chunk(data: bytes, size_line: bytes | None = None) -> bytes:
    return b"%s\r\n%s\r\n" % (size_line or b"%x" % len(data), data)


CHUNKED = b"Transfer-Encoding: chunked"
LAST_CHUNK = b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("framing", "body", "version", "hang_up", "status"),
    [
        pytest.param(b"Content-Length: -5", TABLE, b"1.1", False, 400, id="negative"),
        pytest.param(b"Content-Length: 99999999999999999999999", TABLE, b"1.1", False, 400,
                     id="beyond-any-size"),
        pytest.param(b"Content-Length: %s\r\nContent-Length: 5" % LENGTH, TABLE, b"1.1", False,
                     400, id="two-lengths"),
        pytest.param(b"Content-Length: %s\r\nContent-Length: %s" % (LENGTH, LENGTH), TABLE, b"1.1",
                     False, 400, id="one-length-twice"),
        pytest.param(b"Content-Length: %s, %s" % (LENGTH, LENGTH), TABLE, b"1.1", False, 400,
                     id="a-list-of-lengths"),
        pytest.param(b"Content-Length: 1e3", TABLE, b"1.1", False, 400, id="exponent"),
        pytest.param(b"Content-Length: +%s" % LENGTH, TABLE, b"1.1", False, 400, id="plus-sign"),
        pytest.param(b"Content-Length: %s_%s" % (LENGTH[:1], LENGTH[1:]), TABLE, b"1.1", False,
                     400, id="underscore"),
        pytest.param(b"Content-Length: " + "".join(chr(0x660 + int(d)) for d in LENGTH.decode())
                     .encode(), TABLE, b"1.1", False, 400, id="arabic-indic-digits"),
        pytest.param(CHUNKED, chunk(TABLE, b"zz") + LAST_CHUNK, b"1.1", False, 400,
                     id="chunk-size-zz"),
        pytest.param(CHUNKED, chunk(TABLE, b"ffffffffffffffffffffff") + LAST_CHUNK, b"1.1",
                     False, 400, id="chunk-size-beyond-any-size"),
        pytest.param(CHUNKED, chunk(TABLE, b"-1") + LAST_CHUNK, b"1.1", False, 400,
                     id="chunk-size-negative"),
        pytest.param(CHUNKED, chunk(TABLE, b"0x%x" % len(TABLE)) + LAST_CHUNK, b"1.1", False,
                     400, id="chunk-size-0x"),
        pytest.param(CHUNKED, b"%x\r\n%sXY" % (len(TABLE), TABLE) + LAST_CHUNK, b"1.1", False,
                     400, id="chunk-without-crlf"),
        pytest.param(CHUNKED, b"%x\n%s\r\n" % (len(TABLE), TABLE) + LAST_CHUNK, b"1.1", False,
                     400, id="chunk-size-bare-lf"),
        pytest.param(CHUNKED + b"\r\nContent-Length: %s" % LENGTH, chunk(TABLE) + LAST_CHUNK,
                     b"1.1", False, 400, id="chunked-and-length"),
        pytest.param(b"Transfer-Encoding: chunked, chunked", chunk(chunk(TABLE) + LAST_CHUNK)
                     + LAST_CHUNK, b"1.1", False, 400, id="chunked-twice"),
        pytest.param(CHUNKED, chunk(TABLE) + LAST_CHUNK, b"1.0", False, 400,
                     id="chunked-in-http-1.0"),
        pytest.param(b"Transfer-Encoding: gzip", TABLE, b"1.1", False, 501, id="gzip"),
        pytest.param(b"Transfer-Encoding: gzip, chunked", chunk(TABLE) + LAST_CHUNK, b"1.1",
                     False, 501, id="gzip-then-chunked"),
        pytest.param(b"Content-Length: %d" % (len(TABLE) + 100), TABLE, b"1.1", True, 400,
                     id="length-then-hang-up"),
        pytest.param(CHUNKED, chunk(TABLE)[:-20], b"1.1", True, 400, id="cut-chunk-then-hang-up"),
        pytest.param(CHUNKED, chunk(TABLE), b"1.1", True, 400, id="no-last-chunk-then-hang-up"),
    ],
)  # fmt: skip
def test_a_body_whose_framing_is_in_doubt_is_refused_and_the_connection_closed(
    server: DurableServer, framing: bytes, body: bytes, version: bytes, hang_up: bool, status: int
) -> None:
    """Refused before Moto runs (a CreateTable would be journaled), whatever the body holds.

    ``raw_exchange`` waits for the server to close the connection after the answer:
    where one request ends and the next starts is unknowable after such a request.
    """
    before = server.status()["journal"]["records"]
    request = dynamodb_request("CreateTable", framing, body, version)
    answer = raw_exchange(server, request, hang_up=hang_up)
    assert answer.status == status, answer
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["connection"] == "close"
    assert json.loads(answer.body)["status"] == status
    assert server.status()["journal"]["records"] == before
    assert "framed" not in table_names(server)  # and the next connection is served


def test_well_framed_bodies_keep_the_connection_for_the_next_request(
    server: DurableServer,
) -> None:
    """Chunk extensions, trailers, and spaces around a length are all valid framing.

    After a chunked body with a trailer, the next request on the connection
    starts right after the trailer section.
    """
    table = TABLE.replace(b"framed", b"chunked")
    requests = [
        dynamodb_request(
            "CreateTable",
            CHUNKED,
            chunk(table[:9], b"9;name=value") + chunk(table[9:]) + b"0\r\nX-Checksum: abc\r\n\r\n",
        ),
        dynamodb_request("ListTables", b"Content-Length:  2 ", b"{}"),
    ]
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection,
        connection.makefile("rb") as stream,
    ):
        answers = []
        for request in requests:
            connection.sendall(request)
            answers.append(read_answer(stream))
    assert [answer.status for answer in answers] == [200, 200], answers
    assert "chunked" in json.loads(answers[1].body)["TableNames"]


def test_its_own_answers_state_their_length_instead_of_going_out_chunked(
    server: DurableServer,
) -> None:
    status = raw_exchange(
        server, b"GET /_durable/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    refused = raw_exchange(
        server,
        b"POST /moto-api/reset HTTP/1.1\r\nHost: x\r\nOrigin: http://page\r\n"
        b"Content-Length: 0\r\n\r\n",
    )  # refused, and the connection closed by the server: raw_exchange waits for that
    for answer in (status, refused):
        assert "transfer-encoding" not in answer.headers, answer
        assert answer.headers["content-length"] == str(len(answer.body)), answer
    assert (status.status, refused.status) == (200, 403)


def test_the_lengths_moto_states_itself_are_kept(server: DurableServer) -> None:
    """A HEAD states the object's length with no body; a range answer states the range's."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket="lengths")
    s3.put_object(Bucket="lengths", Key="k", Body=b"hello world")
    head = s3.head_object(Bucket="lengths", Key="k")["ResponseMetadata"]["HTTPHeaders"]
    assert head["content-length"] == "11"
    ranged = s3.get_object(Bucket="lengths", Key="k", Range="bytes=0-3")
    assert ranged["ResponseMetadata"]["HTTPHeaders"]["content-length"] == "4"
    assert ranged["Body"].read() == b"hell"
    deleted = s3.delete_object(Bucket="lengths", Key="k")["ResponseMetadata"]
    assert deleted["HTTPStatusCode"] == 204
    assert "content-length" not in deleted["HTTPHeaders"]


def test_the_worker_pool_starts_without_waiting_for_its_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cheroot starts every worker before the server answers, and sleeps 0.1 s for each
    one not yet running (a busy machine's start lost up to 0.2 s there). Workers are
    held back here, so that such a wait would be certain."""
    release = threading.Event()
    run, start, real_sleep = threadpool.WorkerThread.run, threadpool.WorkerThread.start, time.sleep
    starting = threading.current_thread()
    started_by: list[threading.Thread] = []
    sleeps: list[float] = []

    def held_back(worker: threadpool.WorkerThread) -> None:
        release.wait()
        run(worker)

    def counted_start(worker: threadpool.WorkerThread) -> None:
        started_by.append(threading.current_thread())
        start(worker)

    def sleep(seconds: float) -> None:
        if threading.current_thread() is not starting:
            real_sleep(seconds)
            return
        sleeps.append(seconds)
        release.set()  # so that cheroot's own pool would get going after all

    monkeypatch.setattr(threadpool.WorkerThread, "run", held_back)
    monkeypatch.setattr(threadpool.WorkerThread, "start", counted_start)
    monkeypatch.setattr(time, "sleep", sleep)  # what cheroot's pool waits with
    http = HttpServer("127.0.0.1", 0, hello, threads=8)
    try:
        assert sleeps == []
        assert starting not in started_by  # no worker delays the start
        release.set()
        http.start()
        assert httpx.get(f"http://127.0.0.1:{http.port}/", timeout=30).text == "hello"
    finally:
        release.set()
        http.shutdown()
    assert len(started_by) == 8


def test_a_server_stopped_at_once_stops_every_worker() -> None:
    """Workers start in the background: a stop must not miss those not started yet."""
    for _ in range(5):
        http = HttpServer("127.0.0.1", 0, hello, threads=16)
        http.shutdown()
        assert not [t for t in threading.enumerate() if isinstance(t, threadpool.WorkerThread)]


def hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Length", "5")])
    return [b"hello"]


def test_every_answer_has_one_date_of_the_second_it_was_sent(server: DurableServer) -> None:
    """The ``Date`` field comes from a cache refreshed every second: it is never missing,
    never doubled, and never older than the second before the answer arrived."""
    dates = []
    for _ in range(3):
        before = int(time.time())
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
            connection.sendall(b"GET /moto-api/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            with connection.makefile("rb") as stream:
                head = stream.read().split(b"\r\n\r\n")[0].decode("latin-1").lower()
        after = time.time()
        fields = [line.split(":", 1)[1] for line in head.split("\r\n") if line.startswith("date:")]
        assert len(fields) == 1, head
        date = parsedate_to_datetime(fields[0].strip()).timestamp()
        assert before <= date <= after, (before, fields, after)
        dates.append(date)
        time.sleep(1.1)
    assert dates[0] < dates[1] < dates[2]
