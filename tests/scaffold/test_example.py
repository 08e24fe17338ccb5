"""``make remove-example`` in a fresh copy: the shop is gone, the platform stays green.

Green means what ``make test`` checks of the platform: lint and types over every file
left, the registry against compose and ``.env.example``, the unit tests of everything
the removal touches (the services left, the seeder, devstack, the scaffold, compose)
and the platform's e2e suite on a local stack of the copy. Left to this checkout's own
run: durable Moto's tests and the tests of ``make up``/``reset``/``snapshot`` (they
start stacks of their own and are written against the registry, so they hold either way).
"""

import re
from pathlib import Path

import pytest

from scaffold.checks import REPO_ROOT
from scaffold.example import remove_example, without_readme_sections
from scaffold.service import Refused
from services.registry import load
from tests.scaffold.conftest import INTEGRATION, copy_checkout, passed, run_command, run_in

UNIT = ("tests/services", "tests/seed", "tests/devstack", "tests/scaffold", "tests/test_*.py")
DOCUMENTS = ("*.md", "docs/**/*.md", "moto/*.md")
LINK = re.compile(r"\]\(([^)#\s]+)")
"""The target of a Markdown link or image."""


def test_no_document_left_links_to_what_the_example_takes() -> None:
    """What the removal would do to this checkout (nothing written): every Markdown file it
    keeps, as it would leave it, links no file or image that went with the shop."""
    change = remove_example(REPO_ROOT, load(REPO_ROOT / "services" / "registry.toml"))
    gone = [(REPO_ROOT / path).resolve() for path in change.delete]
    assert any(path.name == "screenshots" for path in gone)
    dangling = []
    for document in sorted({p for pattern in DOCUMENTS for p in REPO_ROOT.glob(pattern)}):
        relative = document.relative_to(REPO_ROOT)
        if any(document.resolve().is_relative_to(path) for path in gone):
            continue
        text = change.write.get(relative) or document.read_text()
        for target in LINK.findall(text):
            resolved = (document.parent / target).resolve()
            if "://" not in target and any(resolved.is_relative_to(p) for p in gone):
                dangling.append(f"{relative}: {target}")
    assert dangling == []


def test_readme_sections_go_whole_and_an_unclosed_one_is_refused() -> None:
    text = "keep\n<!-- example:start -->\nshop\n<!-- example:end -->\nkeep too\n"
    assert without_readme_sections(text) == "keep\nkeep too\n"
    with pytest.raises(Refused, match="without its end"):
        without_readme_sections("keep\n<!-- example:start -->\nshop, to the end\n")


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_checkout(tmp_path_factory.mktemp("bare"), tools=True)
    out = run_in(root, "scaffold", "remove-example")
    assert "deleted services/catalog" in out
    return root


def test_the_shop_is_gone_and_the_platform_does_not_import_it(bare: Path) -> None:
    # The checkout's own services stay (a user may have added some): only the example's go.
    own = [s.name for s in load(REPO_ROOT / "services" / "registry.toml").services if not s.example]
    assert load(bare / "services" / "registry.toml").names == own
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
