"""The admin API on a developer's machine: never for a web page; state-wide actions need a token.

Every test talks to a real server process over HTTP, as a page in a browser or a
local client would.
"""

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import httpx
import moto
import pytest

from durable_harness import DurableServer
from durable_moto.frames import frame
from durable_moto.snapshot import FORMAT, MAGIC

STATE_WIDE = [
    ("GET", "export"),
    ("POST", "import"),
    ("POST", "reset"),
    ("POST", "compact"),
]
PAGE = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
"""What a drive-by page's simple (preflight-free) POST carries."""


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DurableServer]:
    """One server with one bucket for the refusals: none of them may change anything."""
    server = DurableServer(tmp_path_factory.mktemp("guard") / "data")
    server.start()
    server.client("s3").create_bucket(Bucket="precious")
    # The first ListBuckets builds IAM's backends of other partitions: journaled once.
    server.client("s3").list_buckets()
    yield server
    server.kill()


def assert_untouched(server: DurableServer) -> None:
    names = [bucket["Name"] for bucket in server.client("s3").list_buckets()["Buckets"]]
    assert names == ["precious"]
    status = server.status()
    assert status["journal"]["records"] == 2
    assert status["last_snapshot"] is None  # no compaction, import or reset ran


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


@pytest.mark.parametrize(("method", "action"), STATE_WIDE)
def test_no_token_is_401_and_changes_nothing(
    shared: DurableServer, method: str, action: str
) -> None:
    response = httpx.request(method, f"{shared.url}/_durable/{action}", content=b"", timeout=30)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "--data-dir" in response.json()["detail"]
    assert_untouched(shared)


@pytest.mark.parametrize(("method", "action"), STATE_WIDE)
def test_a_wrong_token_is_403_and_changes_nothing(
    shared: DurableServer, method: str, action: str
) -> None:
    real = shared.admin_headers()["Authorization"]
    for wrong in (real[:-1], real + "x", "Bearer", real.replace("Bearer", "Basic")):
        response = httpx.request(
            method,
            f"{shared.url}/_durable/{action}",
            content=b"",
            headers={"Authorization": wrong},
            timeout=30,
        )
        assert response.status_code in (401, 403), (wrong, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert_untouched(shared)


@pytest.mark.parametrize(
    "browser",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},  # sandboxed frames, file:// pages
        {"Origin": "http://localhost:4566"},  # a rebound host name still says where it came from
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "same-origin"},
    ],
)
def test_browser_requests_are_refused_even_with_the_token(
    shared: DurableServer, browser: dict[str, str]
) -> None:
    headers = shared.admin_headers() | browser
    for method, action in [*STATE_WIDE, ("GET", "status")]:
        response = httpx.request(
            method, f"{shared.url}/_durable/{action}", content=b"", headers=headers, timeout=30
        )
        assert_problem(response, 403)
        assert "web page" in response.json()["detail"]
    assert_problem(httpx.post(f"{shared.url}/moto-api/reset", headers=browser), 403)
    # Path spellings that route to the same place are caught too; one that reads as an
    # absolute-form target the HTTP server refuses before anything routes it.
    assert_problem(httpx.post(f"{shared.url}/moto-api//reset/", headers=browser), 403)
    assert_problem(httpx.post(f"{shared.url}//moto-api//reset/", headers=browser), 400)
    assert_untouched(shared)


def test_the_user_typing_the_url_is_not_a_page(shared: DurableServer) -> None:
    """``Sec-Fetch-Site: none`` is a navigation the user started; status needs no token."""
    response = httpx.get(f"{shared.url}/_durable/status", headers={"Sec-Fetch-Site": "none"})
    assert response.status_code == 200
    assert response.json()["journal"]["records"] == 2


def planted_archive(marker: Path) -> bytes:
    """A well-formed state archive whose pickle creates ``marker`` when it is loaded."""

    class Plant:
        def __reduce__(self) -> tuple[object, tuple[Path]]:
            return Path.touch, (marker,)

    header = {"format": FORMAT, "moto": moto.__version__, "segment": 1, "services": ["s3"]}
    parts = [
        MAGIC,
        frame(json.dumps(header).encode()),
        frame(b"moto.s3.models:s3_backends"),
        frame(pickle.dumps(Plant())),
        frame(b"END"),
    ]
    return b"".join(parts)


def test_a_page_cannot_make_the_server_unpickle(tmp_path: Path) -> None:
    server = DurableServer(tmp_path / "data")
    server.start()
    try:
        marker = tmp_path / "code-ran-here"
        archive = planted_archive(marker)
        url = f"{server.url}/_durable/import"
        assert_problem(httpx.post(url, content=archive, headers=PAGE), 403)
        with_token = PAGE | server.admin_headers()
        assert_problem(httpx.post(url, content=archive, headers=with_token), 403)
        cross_site = {"Sec-Fetch-Site": "cross-site"} | server.admin_headers()
        assert_problem(httpx.post(url, content=archive, headers=cross_site), 403)
        assert_problem(httpx.post(url, content=archive), 401)  # a local client without the token
        assert not marker.exists()
        # The control: the archive is live, so the refusals above are what kept it out.
        httpx.post(url, content=archive, headers=server.admin_headers(), timeout=30)
        assert marker.exists()
    finally:
        server.kill()


def test_moto_reset_stays_open_to_plain_clients_only(tmp_path: Path) -> None:
    server = DurableServer(tmp_path / "data")
    server.start()
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="kept")
        assert_problem(httpx.post(f"{server.url}/moto-api/reset", headers=PAGE), 403)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["kept"]
        assert httpx.post(f"{server.url}/moto-api/reset").status_code == 200  # no token needed
        assert s3.list_buckets()["Buckets"] == []
    finally:
        server.kill()
