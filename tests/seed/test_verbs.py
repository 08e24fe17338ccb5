"""plan / apply / destroy, run as on real AWS (STACK_TARGET=aws) against in-process Moto."""

import logging
from typing import Any

import pytest

from seed import verbs
from seed.__main__ import run
from seed.fixtures import fixture_product_id, read_products
from seed.settings import SeedSettings
from seed.stack import stack_resources
from services.catalog.models import ProductStore
from services.catalog.settings import CatalogSettings
from services.gateway.settings import GatewaySettings
from services.orders.models import OrderStore
from services.orders.settings import OrdersSettings

PREFIX = "motostack-local-"


@pytest.fixture
def settings(aws: None) -> SeedSettings:
    return SeedSettings(demo_api_key="demo-key-0123456789")


def plan_lines(settings: SeedSettings, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert run(settings, ["plan"]) == 0
    return capsys.readouterr().out.splitlines()


def test_plan_on_a_fresh_account_creates_everything_and_changes_nothing(
    settings: SeedSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = plan_lines(settings, capsys)
    assert len(lines) == len(stack_resources())
    assert all(line.startswith("+ ") and line.endswith(": create") for line in lines)
    assert "+ table motostack-local-orders-orders: create" in lines
    assert (
        "+ subscription motostack-local-orders-events -> motostack-local-fulfillment-orders: create"
        in lines
    )
    assert plan_lines(settings, capsys) == lines, "plan changed something"


def test_apply_needs_yes_on_real_aws_and_skips_fixtures(
    settings: SeedSettings,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    stack_clients: dict[str, Any],
) -> None:
    assert run(settings, ["apply"]) == 1
    assert "apply against real AWS needs --yes" in caplog.text
    assert run(settings, ["apply", "--yes"]) == 0
    assert all(line.startswith("= ") for line in plan_lines(settings, capsys))
    orders = OrderStore(stack_clients["dynamodb"], OrdersSettings().orders_table)
    assert orders.stock("MUG-001") is None, "no fixtures on real AWS unless asked"
    keys = stack_clients["secretsmanager"].get_secret_value(
        SecretId=GatewaySettings().api_keys_secret
    )["SecretString"]
    assert settings.demo_api_key is not None
    assert settings.demo_api_key not in keys, "the demo key never goes to a real account"
    assert "DEMO_API_KEY ignored" in caplog.text
    assert run(settings, ["apply", "--yes", "--with-fixtures"]) == 0
    assert orders.stock("MUG-001") is not None


def test_apply_twice_is_a_no_op(
    settings: SeedSettings, stack_clients: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    assert run(settings, ["apply", "--yes"]) == 0
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert run(settings, ["apply", "--yes"]) == 0
    assert "done: nothing to do, all in place" in caplog.text


def test_plan_shows_drift_and_apply_repairs_it(
    settings: SeedSettings, stack_clients: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = CatalogSettings().images_bucket
    stack_clients["s3"].delete_bucket_encryption(Bucket=bucket)
    stack_clients["s3"].delete_public_access_block(Bucket=bucket)
    lines = plan_lines(settings, capsys)
    assert f"~ bucket {bucket}: block public access; enable default encryption" in lines
    assert run(settings, ["apply", "--yes"]) == 0
    assert all(line.startswith("= ") for line in plan_lines(settings, capsys))


def test_what_a_real_account_should_have_is_on(stack_clients: dict[str, Any]) -> None:
    dynamodb, s3, sqs = stack_clients["dynamodb"], stack_clients["s3"], stack_clients["sqs"]
    table = OrdersSettings().orders_table
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    bucket = CatalogSettings().images_bucket
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    for url in sqs.list_queues(QueueNamePrefix=PREFIX)["QueueUrls"]:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["SqsManagedSseEnabled"] == "true"


def test_destroy_asks_for_the_stack_name(
    settings: SeedSettings, stack_clients: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "yes"

    assert run(settings, ["destroy"], ask=answer) == 1
    assert prompts == ["Type motostack-local to delete all of its resources: "]
    assert "not confirmed; nothing deleted" in caplog.text
    assert stack_clients["dynamodb"].list_tables()["TableNames"], "nothing was deleted"
    assert run(settings, ["destroy"], ask=lambda prompt: "motostack-local") == 0


def test_destroy_leaves_nothing_of_the_stack_behind(
    settings: SeedSettings, stack_clients: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, ["apply", "--yes", "--with-fixtures"]) == 0
    stack_clients["s3"].put_object(Bucket=CatalogSettings().images_bucket, Key="x", Body=b"x")
    assert run(settings, ["destroy", "--yes"]) == 0
    c = stack_clients
    leftovers = [
        *c["dynamodb"].list_tables()["TableNames"],
        *[b["Name"] for b in c["s3"].list_buckets()["Buckets"]],
        *[t["TopicArn"] for t in c["sns"].list_topics()["Topics"]],
        *c["sqs"].list_queues().get("QueueUrls", []),
        *[s["Name"] for s in c["secretsmanager"].list_secrets()["SecretList"]],
        *c["ses"].list_identities()["Identities"],
    ]
    assert leftovers == []
    assert all(line.startswith("+ ") for line in plan_lines(settings, capsys))


def _fixtures_line(settings: SeedSettings, clients: dict[str, Any]) -> str:
    return verbs.plan(clients, settings, fixtures=True)[-1]


def test_fixtures_load_on_the_first_seed_only_and_plan_shows_what_is_missing(
    settings: SeedSettings, stack_clients: dict[str, Any]
) -> None:
    """A demo product the user deleted stays deleted on the next seed (a local stack seeds at
    every start); plan names what is missing, and --with-fixtures brings it back."""
    assert _fixtures_line(settings, stack_clients).startswith("+ fixtures: load (")
    verbs.apply(stack_clients, settings, fixtures="first-seed")
    total = len(read_products(settings.seed_fixtures_dir / "products.json"))
    assert _fixtures_line(settings, stack_clients).startswith(f"= fixtures: {total} demo products")

    catalog = ProductStore(stack_clients["dynamodb"], CatalogSettings().products_table)
    catalog.delete(fixture_product_id("MUG-001"))
    assert verbs.apply(stack_clients, settings, fixtures="first-seed") == 0
    assert catalog.find_by_sku("MUG-001") is None, "a deleted demo product came back"
    line = _fixtures_line(settings, stack_clients)
    assert line.startswith(f"~ fixtures: 1 of {total} demo products and 0 of "), line

    assert verbs.apply(stack_clients, settings, fixtures="always") == 1
    assert catalog.find_by_sku("MUG-001") is not None
