"""The process controller with tiny real processes standing in for nothing but themselves."""

import io
import sys
import time
from pathlib import Path

import httpx
import pytest

from devstack.components import Component, Ports
from devstack.local import ProcessStack
from devstack.waiting import StackError, free_port


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def make_stack(tmp_path: Path, *components: Component) -> tuple[ProcessStack, io.StringIO]:
    sink = io.StringIO()
    stack = ProcessStack(Ports(), tmp_path, sink, components=list(components), start_timeout=10)
    return stack, sink


def http_server(name: str, port: int) -> Component:
    code = f"import http.server as h; h.HTTPServer(('127.0.0.1', {port}), h.SimpleHTTPRequestHandler).serve_forever()"  # noqa: E501
    return Component(name, python(code), health_url=f"http://127.0.0.1:{port}/")


def test_failing_one_shot_stops_the_stack_with_its_exit_code(tmp_path: Path) -> None:
    port = free_port()
    stack, sink = make_stack(
        tmp_path,
        http_server("web", port),
        Component("job", python("print('seeding went wrong'); raise SystemExit(3)")),
    )
    with pytest.raises(StackError, match="job exited with 3"):
        stack.up()
    time.sleep(0.2)
    assert "job | seeding went wrong" in sink.getvalue()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=1)


def test_process_dying_while_starting_is_reported(tmp_path: Path) -> None:
    dead = Component("dead", python("raise SystemExit(1)"), health_url="http://127.0.0.1:9/")
    stack, _ = make_stack(tmp_path, dead)
    with pytest.raises(StackError, match="exited while starting"):
        stack.up()


def test_kill_then_start_brings_a_component_back(tmp_path: Path) -> None:
    port = free_port()
    stack, _ = make_stack(tmp_path, http_server("web", port))
    stack.up()
    try:
        stack.kill("web")
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
        stack.start("web")
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200
    finally:
        stack.down()
