"""The IAM policies and the CloudFormation template, generated from the declarations."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seed.__main__ import run
from seed.settings import SeedSettings
from seed.stack import resources_by_service, stack_resources
from services.fulfillment.settings import FulfillmentSettings


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deploy")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STACK_NAME", "shop")
        env.setenv("STAGE", "dev")
        assert run(SeedSettings(), ["export", "--out", str(out)]) == 0
    return out


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
    assert types.count("AWS::IAM::ManagedPolicy") == len(resources_by_service())
    assert len(types) == len(stack_resources()) + len(resources_by_service()) + 1  # queue policy
    table = template["Resources"]["OrdersOrdersTable"]
    assert table["Properties"]["TableName"] == "shop-dev-orders-orders"
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]


@pytest.mark.parametrize("service", ["catalog", "orders", "fulfillment", "gateway"])
def test_each_policy_names_only_what_its_service_owns(exported: Path, service: str) -> None:
    document = json.loads((exported / "iam" / f"{service}.json").read_text())
    resources = [r for statement in document["Statement"] for r in statement["Resource"]]
    unscoped = [s["Action"] for s in document["Statement"] if "*" in s["Resource"]]
    assert unscoped in ([], [["sns:ListTopics"]]), "only ListTopics cannot be scoped"
    sender = f"identity/{FulfillmentSettings().sender_email}"
    shared = "secret:shop-dev-stack-internal-token-"  # every service reads the internal token
    assert any(shared in resource for resource in resources)
    for resource in resources:
        if resource != "*" and not resource.endswith(sender) and shared not in resource:
            assert f"shop-dev-{service}-" in resource, resource
