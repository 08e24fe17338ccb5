"""Copies of this checkout for the generator to change, and commands run inside them."""

import shutil
import subprocess
import sys
from pathlib import Path

from scaffold.checks import REPO_ROOT

INTEGRATION = ("tests/scaffold/test_service_in_a_copy.py", "tests/scaffold/test_example.py")
"""The tests that copy the checkout; a copy's own test run leaves them out (no recursion)."""


NOT_COPIED = frozenset({".git", ".venv", ".data", "__pycache__", ".mypy_cache", ".ruff_cache"})
"""What a tree that is not a git checkout (a copy of one) holds beyond its sources."""


def _files(root: Path) -> list[str]:
    """The files git knows of (tracked, or new and not ignored); in a plain copy, all of its
    files outside caches and virtualenvs."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
    )
    if listed.returncode == 0:
        return list(filter(None, listed.stdout.decode().split("\0")))
    return [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not NOT_COPIED & set(path.relative_to(root).parts)
    ]


def copy_checkout(destination: Path) -> Path:
    """This checkout's files as a fresh clone has them."""
    for name in _files(REPO_ROOT):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run_in(root: Path, *argv: str, timeout: float = 900) -> str:
    """Run a tool of this virtualenv in ``root``; fail with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{' '.join(argv)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout
