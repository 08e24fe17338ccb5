"""From a fresh copy of the checkout: ``make new-service NAME=reviews``, then the copy's lint
and the new service's unit tests pass, and ``make dev`` serves /api/reviews/items through the
gateway with the demo key, which the generated e2e test proves black-box. No hand edit.

What the generator can break is checked in full: every file's lint and types (mypy follows
the new service into everything it imports), the registry against compose and
``.env.example``, the new unit tests, and the running stack. The rest of the suite, which
the generator does not touch, is left to this checkout's own run.
"""

from pathlib import Path

import httpx
import pytest

from devstack.components import DEMO_API_KEY
from scaffold.checks import REPO_ROOT
from services.registry import load
from tests.scaffold.conftest import copy_checkout, dev_stack, passed, run_command, run_in

#: ``reviews``, or a name of the same kind when this checkout already has a ``reviews``
#: (a user who followed the tutorial): the test adds a service the checkout does not have.
NAME = next(
    name
    for name in ("reviews", *(f"reviews{n}" for n in range(2, 100)))
    if name not in load(REPO_ROOT / "services" / "registry.toml").names
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_checkout(tmp_path_factory.mktemp("clone"), tools=True)
    out = run_in(root, "scaffold", "new-service", NAME)
    assert f"wrote services/{NAME}/main.py" in out
    return root


@pytest.mark.timeout(600)
def test_the_copy_passes_lint_and_the_new_service_its_unit_tests(generated: Path) -> None:
    run_in(generated, "scaffold", "check")
    run_command(generated, ["scripts/lint.sh"])
    out = run_in(
        generated, "pytest", "-q", "-p", "no:cacheprovider",
        f"tests/services/{NAME}", "tests/services/test_registry.py",
        "tests/scaffold/test_checks.py",
    )  # fmt: skip
    assert passed(out) >= 10, out


@pytest.mark.timeout(600)
def test_make_dev_serves_it_through_the_gateway(generated: Path, tmp_path: Path) -> None:
    with dev_stack(generated, tmp_path / "data") as client_env:
        gateway = client_env["STACK_URL"]
        with httpx.Client(base_url=f"{gateway}/api/{NAME}", timeout=30) as api:
            created = api.post(
                "/items", json={"name": "great mug", "attributes": {"stars": 4.5}},
                headers={"X-API-Key": DEMO_API_KEY},
            )  # fmt: skip
            assert created.status_code == 201, created.text
            listed = api.get("/items").json()
            assert [item["name"] for item in listed["items"]] == ["great mug"]
            assert listed["items"][0]["attributes"] == {"stars": 4.5}
        # The generated e2e test and the gateway's own, black-box against that stack.
        out = run_in(
            generated, "pytest", "-q", "-p", "no:cacheprovider",
            f"e2e/test_{NAME}.py", "e2e/test_gateway.py", env=client_env,
        )  # fmt: skip
        assert passed(out) >= 7, out
