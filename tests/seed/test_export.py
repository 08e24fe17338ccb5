"""The IAM policies and the CloudFormation template, generated from the declarations."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seed.__main__ import run
from seed.settings import SeedSettings
from tests.seed.conftest import every_kind


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STACK_NAME", "shop")
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setattr("seed.verbs.resources_by_service", every_kind)
    assert run(SeedSettings(), ["export", "--out", str(tmp_path)]) == 0
    return tmp_path


def test_the_template_passes_cfn_lint(exported: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(exported / "cloudformation.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_template_holds_every_declared_resource_and_a_policy_per_service(
    exported: Path,
) -> None:
    template = json.loads((exported / "cloudformation.json").read_text())
    types = [resource["Type"] for resource in template["Resources"].values()]
    services = every_kind()
    assert types.count("AWS::IAM::ManagedPolicy") == len(services)
    every = sum(len(owned) for owned in services.values())
    assert len(types) == every + len(services) + 1  # + the queue policy
    table = template["Resources"]["ThingsTableTable"]
    assert table["Properties"]["TableName"] == "shop-dev-things-table"
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]


@pytest.mark.parametrize("service", ["things", "gateway"])
def test_each_policy_names_only_what_its_service_owns(exported: Path, service: str) -> None:
    document = json.loads((exported / "iam" / f"{service}.json").read_text())
    resources = [r for statement in document["Statement"] for r in statement["Resource"]]
    unscoped = [s["Action"] for s in document["Statement"] if "*" in s["Resource"]]
    assert unscoped in ([], [["sns:ListTopics"]]), "only ListTopics cannot be scoped"
    sender = "identity/things@motostack.example"
    shared = "secret:shop-dev-stack-internal-token-"  # read by every service that declares it
    if service == "gateway":
        assert any(shared in resource for resource in resources)
    for resource in resources:
        if resource != "*" and not resource.endswith(sender) and shared not in resource:
            assert f"shop-dev-{service}-" in resource, resource
