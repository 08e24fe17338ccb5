"""``make remove-example`` in a fresh copy: the shop is gone, the platform stays green.

Green means what ``make test`` checks of the platform: lint and types over every file
left, the registry against compose and ``.env.example``, the unit tests of everything
the removal touches (the services left, the seeder, devstack, the scaffold, compose)
and the platform's e2e suite on a local stack of the copy. Left to this checkout's own
run: durable Moto's tests and the tests of ``make up``/``reset``/``snapshot`` (they
start stacks of their own and are written against the registry, so they hold either way).
"""

from pathlib import Path

import pytest

from services.registry import load
from tests.scaffold.conftest import INTEGRATION, copy_checkout, passed, run_command, run_in

UNIT = ("tests/services", "tests/seed", "tests/devstack", "tests/scaffold", "tests/test_*.py")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_checkout(tmp_path_factory.mktemp("bare"), tools=True)
    out = run_in(root, "scaffold", "remove-example")
    assert "deleted services/catalog" in out
    return root


def test_the_shop_is_gone_and_the_platform_does_not_import_it(bare: Path) -> None:
    assert load(bare / "services" / "registry.toml").names == ["gateway"]
    for gone in ("services/orders", "services/fulfillment", "e2e/shop", "services/gateway/demo"):
        assert not (bare / gone).exists(), gone
    leftovers = [
        str(path.relative_to(bare))
        for path in [*bare.glob("services/**/*.py"), *bare.glob("seed/*.py")]
        if any(f"services.{shop}" in path.read_text() for shop in ("catalog", "orders"))
    ]
    assert leftovers == [], "the platform must not import the shop"


@pytest.mark.timeout(900)
def test_the_bare_platform_passes_lint_and_unit_tests(bare: Path) -> None:
    run_in(bare, "scaffold", "check")
    run_command(bare, ["scripts/lint.sh"])
    unit = [str(p.relative_to(bare)) for pattern in UNIT for p in sorted(bare.glob(pattern))]
    ignored = [f"--ignore={path}" for path in INTEGRATION]
    out = run_in(bare, "pytest", "-q", "-p", "no:cacheprovider", *unit, *ignored, timeout=900)
    assert passed(out) >= 100, out


@pytest.mark.timeout(900)
def test_the_bare_platform_passes_its_e2e_suite(bare: Path) -> None:
    out = run_in(
        bare,
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "e2e",
        timeout=900,
        env={"E2E_STACK": "local"},
    )
    assert passed(out) >= 8, out
