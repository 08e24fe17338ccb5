"""The shell blocks of README.md and docs/shop.md run as written against a running stack.

Each fenced ``sh``/``bash``/``shell`` block runs in bash with ``set -euo pipefail`` and
curl made to fail on an HTTP error (``--fail-with-body``: a 422 is a failure, though plain
``curl -s`` exits 0 on it). A comment on the line before a block can say it needs more:

* ``<!-- e2e: skip (reason) -->`` — never run here (it needs Docker, real AWS, a browser…);
* ``<!-- e2e: needs aws -->`` — runs when those commands are installed, else is skipped.

The blocks reach the stack through ``GATEWAY_PORT`` and ``MOTO_PORT`` with the README's
ports as defaults, so the same text works for a reader and against the suite's stack.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devstack.components import REPO_ROOT
from e2e.stacks import Stack
from services.registry import registry

DOCUMENTS = tuple(d for d in ("README.md", "docs/shop.md") if (REPO_ROOT / d).exists())
"""docs/shop.md goes with the example (``make remove-example``)."""
_ROUTE = re.compile(r"/api/([a-z][a-z0-9-]*)")
_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*e2e:\s*(skip|needs)\b\s*(.*?)\s*-->$")
_SHELLS = {"sh", "bash", "shell"}
_PROLOGUE = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    code: str
    skip: str | None
    needs: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def shell_blocks(document: str) -> list[Block]:
    """The shell blocks of a Markdown file, with what the comment before each says."""
    lines = (REPO_ROOT / document).read_text().splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        if opening.group(1) in _SHELLS:
            before = next((line for line in reversed(lines[:index]) if line.strip()), "")
            mark = _MARK.match(before.strip())
            kind, detail = mark.groups() if mark else ("", "")
            blocks.append(
                Block(
                    document,
                    index + 1,
                    "\n".join(lines[index + 1 : end]),
                    skip=(detail or "marked skip") if kind == "skip" else None,
                    needs=tuple(detail.split()) if kind == "needs" else (),
                )
            )
        index = end + 1
    return blocks


BLOCKS = [block for document in DOCUMENTS for block in shell_blocks(document)]


def _local_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost"} or parts.port is None:
        pytest.skip(f"the documented commands talk to localhost, not {url}")
    return str(parts.port)


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_documented_commands_run_as_written(stack: Stack, block: Block, tmp_path: Path) -> None:
    if block.skip:
        pytest.skip(block.skip)
    unrouted = sorted(set(_ROUTE.findall(block.code)) - set(registry().routes()))
    if unrouted:
        pytest.skip(f"uses /api/{unrouted[0]}, which services/registry.toml does not route")
    missing = [command for command in block.needs if shutil.which(command) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed")
    aws_endpoint = getattr(stack, "aws_endpoint_url", None) or os.environ.get("AWS_ENDPOINT_URL")
    if aws_endpoint is None:
        pytest.skip("no emulated AWS endpoint (set AWS_ENDPOINT_URL)")
    # Nothing from this environment may make a command work that would fail for a reader:
    # no AWS settings, no AWS config files, only the stack's ports.
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env |= {
        "GATEWAY_PORT": _local_port(stack.gateway_url),
        "MOTO_PORT": _local_port(aws_endpoint),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    result = subprocess.run(
        ["bash", "-c", _PROLOGUE + block.code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"{block.id} failed ({result.returncode}):\n{block.code}\n"
        f"--- stdout\n{result.stdout[-2000:]}\n--- stderr\n{result.stderr[-2000:]}"
    )


def test_blocks_are_found_and_marks_are_read() -> None:
    """The extraction itself: a skip without a reason still skips, needs lists commands."""
    assert any(block.document == "README.md" for block in BLOCKS)
    assert any(block.skip is None and not block.needs for block in BLOCKS)
    assert _MARK.match("<!-- e2e: needs aws jq -->") is not None
