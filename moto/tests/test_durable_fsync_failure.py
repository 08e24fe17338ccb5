"""A failed fsync: the write is refused and undone, and no read ever showed it.

The disk's refusal is injected where the kernel reports it (``os.fdatasync``
raising EIO); everything else is real: Moto's WSGI app in this process behind
durable Moto, a journal on disk, a restart from it.
"""

import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from in_process import open_app, request

from durable_moto import wsgi
from durable_moto.app import DurableApp

VERSION = "fsync-test"
SCOPE = "us-east-1/s3/aws4_request"


def _request(app: DurableApp, method: str, path: str, body: bytes = b"") -> wsgi.Response:
    return request(
        app,
        method,
        path,
        body,
        HTTP_HOST="s3.amazonaws.com",
        HTTP_AUTHORIZATION=f"AWS4-HMAC-SHA256 Credential=test/20261129/{SCOPE}",
    )


def _keys(app: DurableApp) -> list[str]:
    listing = _request(app, "GET", "/fsync-bucket").body.decode()
    return [part.split("</Key>")[0] for part in listing.split("<Key>")[1:]]


def test_a_write_whose_fsync_fails_is_refused_undone_and_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, store = open_app(tmp_path, VERSION)
    assert _request(app, "PUT", "/fsync-bucket").code == 200
    assert _request(app, "PUT", "/fsync-bucket/kept", b"kept").code == 200

    real_fdatasync = os.fdatasync
    moto_wrote_it, moto_read_it = threading.Event(), threading.Event()
    moto_app = app.moto_app

    def watching_moto(environ: dict[str, Any], start_response: Any) -> Any:
        result = moto_app(environ, start_response)
        if environ["PATH_INFO"].endswith("/lost"):
            (moto_read_it if environ["REQUEST_METHOD"] == "GET" else moto_wrote_it).set()
        return result

    app.moto_app = watching_moto

    def failing_disk(fd: int) -> None:
        moto_read_it.wait(10)  # a reader has seen the write while its fsync is under way
        raise OSError(errno.EIO, "injected: the disk lost the write")

    monkeypatch.setattr(os, "fdatasync", failing_disk)
    reads: list[wsgi.Response] = []
    writer = threading.Thread(
        target=lambda: reads.append(_request(app, "PUT", "/fsync-bucket/lost", b"lost"))
    )
    writer.start()
    moto_wrote_it.wait(10)  # the reader queues for the lock the writer holds until journaled
    reader = threading.Thread(
        target=lambda: reads.append(_request(app, "GET", "/fsync-bucket/lost"))
    )
    reader.start()
    writer.join(30)
    reader.join(30)
    monkeypatch.setattr(os, "fdatasync", real_fdatasync)
    app.moto_app = moto_app

    answers: dict[str, Any] = {r.body[:40].decode(errors="replace"): r.code for r in reads}
    assert all(code != 200 for code in answers.values()), json.dumps(answers)
    assert _keys(app) == ["kept"]
    store.close()

    app, store = open_app(
        tmp_path, VERSION
    )  # a restart shows the same: only the acknowledged write
    assert _keys(app) == ["kept"]
    store.close()
