"""The building blocks on their own: frames, records, the read/write classifier."""

import pytest

from durable_moto.classify import is_mutating
from durable_moto.frames import CorruptFrame, TornTail, frame, read_frames
from durable_moto.longpoll import long_poll_seconds
from durable_moto.records import Record


def test_frames_round_trip_and_detect_a_torn_tail() -> None:
    data = frame(b"one") + frame(b"two")
    assert [item[1] for item in read_frames(data) if not isinstance(item, TornTail)] == [
        b"one",
        b"two",
    ]
    torn = list(read_frames(data + frame(b"three")[:5]))
    assert torn[-1] == TornTail(offset=len(data), size=5)


def test_a_flipped_byte_is_corruption_not_a_tear() -> None:
    data = bytearray(frame(b"payload") + frame(b"next"))
    data[10] ^= 1
    with pytest.raises(CorruptFrame, match="checksum"):
        list(read_frames(bytes(data)))


def test_records_keep_what_replay_needs() -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem",
        "wsgi.url_scheme": "http",
        "wsgi.input": object(),
        "REMOTE_PORT": "51234",
    }
    record = Record.from_environ(environ, b'{"x":1}', seed=7, timestamp=1.5)
    record.keys.append(b"DER")
    decoded = Record.decode(record.encode())
    assert decoded == record
    assert "wsgi.input" not in decoded.environ
    assert "REMOTE_PORT" not in decoded.environ


@pytest.mark.parametrize(
    ("environ", "body", "mutating"),
    [
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.GetItem"}, b"", False),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query"}, b"", False),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, b"", True),
        ({"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "AmazonSQS.ReceiveMessage"}, b"", True),
        (
            {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded"},
            b"Action=ListQueues&Version=2012-11-05",
            False,
        ),
        (
            {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded"},
            b"Action=Publish&TopicArn=x",
            True,
        ),
        ({"REQUEST_METHOD": "GET", "PATH_INFO": "/bucket/key"}, b"", False),
        ({"REQUEST_METHOD": "PUT", "PATH_INFO": "/bucket/key"}, b"data", True),
        (
            {"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "AWSCognitoIdentityService.GetId"},
            b"",
            True,
        ),
        ({"REQUEST_METHOD": "POST", "PATH_INFO": "/moto-api/reset"}, b"", True),
    ],
)
def test_only_reads_by_name_skip_the_journal(
    environ: dict[str, object], body: bytes, mutating: bool
) -> None:
    assert is_mutating(environ, body) is mutating


def test_long_polls_become_short_polls() -> None:
    environ = {"REQUEST_METHOD": "POST", "HTTP_X_AMZ_TARGET": "AmazonSQS.ReceiveMessage"}
    wait, body = long_poll_seconds(environ, b'{"QueueUrl": "q", "WaitTimeSeconds": 20}') or (0, b"")
    assert (wait, body) == (20, b'{"QueueUrl": "q", "WaitTimeSeconds": 0}')
    assert long_poll_seconds(environ, b'{"QueueUrl": "q"}') is None
