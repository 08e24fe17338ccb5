"""SQS long polling without holding the server's lock.

Moto implements ``WaitTimeSeconds`` by blocking inside ReceiveMessage until a
message arrives. Under the lock that serializes state changes, nothing could
arrive. So the server turns a long poll into short polls (the request is
rewritten with ``WaitTimeSeconds=0``, which is also what the journal stores,
so replays never wait), and between them waits outside the lock until another
write happens or a second passes (visibility timeouts expiring).
"""

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from durable_moto.classify import operation_name

MAX_WAIT_SECONDS = 20


def long_poll_seconds(environ: dict[str, Any], body: bytes) -> tuple[int, bytes] | None:
    """``(wait, short_poll_body)`` for a ReceiveMessage that asks to wait, else None.

    A request without WaitTimeSeconds is left alone: Moto then uses the queue's
    own ReceiveMessageWaitTimeSeconds.
    """
    if operation_name(environ, body) != "ReceiveMessage":
        return None
    if environ.get("HTTP_X_AMZ_TARGET"):
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return None
        wait = _seconds(request.get("WaitTimeSeconds"))
        if not wait:
            return None
        request["WaitTimeSeconds"] = 0
        return wait, json.dumps(request).encode()
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    wait = _seconds(dict(pairs).get("WaitTimeSeconds"))
    if not wait:
        return None
    rewritten = [(key, "0" if key == "WaitTimeSeconds" else value) for key, value in pairs]
    return wait, urlencode(rewritten).encode()


def _seconds(value: object) -> int:
    try:
        return max(0, min(int(str(value)), MAX_WAIT_SECONDS))
    except ValueError:
        return 0


def has_messages(body: bytes) -> bool:
    if body.lstrip().startswith(b"{"):
        try:
            return bool(json.loads(body).get("Messages"))
        except ValueError:
            return False
    return b"<Message>" in body
