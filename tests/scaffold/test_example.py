"""``make remove-example`` in a fresh copy: the shop is gone, the platform stays green."""

from pathlib import Path

import pytest

from services.registry import load
from tests.scaffold.conftest import INTEGRATION, copy_checkout, run_in


@pytest.mark.timeout(5400)
def test_the_bare_platform_passes_lint_and_unit_tests(tmp_path: Path) -> None:
    root = copy_checkout(tmp_path)
    out = run_in(root, "scaffold", "remove-example")
    assert "deleted services/catalog" in out
    assert load(root / "services" / "registry.toml").names == ["gateway"]
    for gone in ("services/orders", "services/fulfillment", "e2e/shop", "docs/shop.md"):
        assert not (root / gone).exists(), gone
    leftovers = [
        str(path.relative_to(root))
        for path in [*root.glob("services/**/*.py"), *root.glob("seed/*.py")]
        if any(f"services.{shop}" in path.read_text() for shop in ("catalog", "orders"))
    ]
    assert leftovers == [], "the platform must not import the shop"
    run_in(root, "scaffold", "check")
    run_in(root, "ruff", "check", "--no-cache", ".")
    run_in(root, "ruff", "format", "--no-cache", "--check", ".")
    run_in(root, "mypy", timeout=2400)
    ignored = [f"--ignore={path}" for path in INTEGRATION]
    out = run_in(root, "pytest", "-q", "-p", "no:cacheprovider", "tests", *ignored, timeout=4800)
    assert " passed" in out
    assert "failed" not in out
