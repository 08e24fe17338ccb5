"""SQS long polling without holding the server's lock.

Moto implements long polls by blocking inside ReceiveMessage until a message
arrives. Under the lock that serializes state changes, nothing could arrive.
So the server turns a long poll, asked for by the request or set on the queue,
into short polls: the request is rewritten with ``WaitTimeSeconds=0``, which
is also what the journal stores, so replays never wait. Between short polls it
waits outside the lock until another write happens or a second passes
(visibility timeouts expiring).
"""

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from durable_moto.classify import operation_name

MAX_WAIT_SECONDS = 20


def long_poll_seconds(environ: dict[str, Any], body: bytes) -> tuple[int, bytes] | None:
    """``(wait, short_poll_body)`` for a ReceiveMessage that would wait, else None.

    The wait is the request's WaitTimeSeconds or, without one, the queue's
    ReceiveMessageWaitTimeSeconds; the rewritten body always says 0. A wait
    Moto would refuse (not a number, below 0, above 20) is no long poll: the
    request goes to Moto unchanged and gets Moto's validation error.
    """
    if operation_name(environ, body) != "ReceiveMessage":
        return None
    if environ.get("HTTP_X_AMZ_TARGET"):
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return None
        asked = request.get("WaitTimeSeconds")
        wait = (
            _seconds(asked)
            if asked is not None
            else _queue_default(environ, request.get("QueueUrl"))
        )
        if not wait:
            return None
        request["WaitTimeSeconds"] = 0
        return wait, json.dumps(request).encode()
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    params = dict(pairs)
    if "WaitTimeSeconds" in params:
        wait = _seconds(params["WaitTimeSeconds"])
    else:
        queue_url = params.get("QueueUrl") or str(environ.get("PATH_INFO", ""))
        wait = _queue_default(environ, queue_url)
        pairs.append(("WaitTimeSeconds", "0"))
    if not wait:
        return None
    rewritten = [(key, "0" if key == "WaitTimeSeconds" else value) for key, value in pairs]
    return wait, urlencode(rewritten).encode()


def _queue_default(environ: dict[str, Any], queue_url: object) -> int:
    """The queue's ReceiveMessageWaitTimeSeconds, read from Moto's state (0 if unknown)."""
    from moto.sqs.models import sqs_backends

    match = re.search(r"/(\d{12})/([^/?]+)", str(queue_url or ""))
    scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/", str(environ.get("HTTP_AUTHORIZATION", "")))
    if not match or not scope:
        return 0
    try:
        queue = sqs_backends[match.group(1)][scope.group(1)].get_queue(match.group(2))
        return _seconds(getattr(queue, "receive_message_wait_time_seconds", 0))
    except Exception:  # unknown queue: Moto itself answers the error
        return 0


def _seconds(value: object) -> int:
    """A valid wait, else 0: an invalid one is left in the request for Moto to refuse
    with its own error, exactly as ``moto_server`` does."""
    try:
        seconds = int(str(value))
    except ValueError:
        return 0
    return seconds if 0 <= seconds <= MAX_WAIT_SECONDS else 0


def has_messages(body: bytes) -> bool:
    if body.lstrip().startswith(b"{"):
        try:
            return bool(json.loads(body).get("Messages"))
        except ValueError:
            return False
    return b"<Message>" in body
