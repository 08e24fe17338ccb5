"""plan / apply / destroy, run as on real AWS (STACK_TARGET=aws) against in-process Moto."""

import logging
from typing import Any

import pytest

from seed import verbs
from seed.__main__ import run
from seed.settings import SeedSettings
from services.common.internal import internal_token_secret, parse_token
from services.common.resources import Resource
from services.common.seeding import SeedRun
from services.registry import registry

PREFIX = "motostack-local-"


@pytest.fixture
def settings(aws: None) -> SeedSettings:
    return SeedSettings(demo_api_key="demo-key-0123456789")


@pytest.fixture
def seeding_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, SeedRun]]:
    """Each service's seeding hook, recorded instead of run (they write the shop's data)."""
    runs: list[tuple[str, SeedRun]] = []

    class Recorder:
        def __init__(self, name: str) -> None:
            self.name = name

        def seed(self, run: SeedRun) -> int:
            runs.append((self.name, run))
            return 0

    monkeypatch.setattr(verbs, "service_module", lambda service, part: Recorder(service.name))
    return runs


def plan_lines(settings: SeedSettings, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert run(settings, ["plan"]) == 0
    return capsys.readouterr().out.splitlines()


def test_plan_on_a_fresh_account_creates_everything_and_changes_nothing(
    settings: SeedSettings,
    capsys: pytest.CaptureFixture[str],
    declared: dict[str, list[Resource]],
) -> None:
    lines = plan_lines(settings, capsys)
    every = [resource for owned in declared.values() for resource in owned]
    assert lines == [f"+ {type(r).__name__.lower()} {r.name}: create" for r in every]
    assert plan_lines(settings, capsys) == lines, "plan changed something"


def test_apply_needs_yes_on_real_aws_and_asks_for_fixtures_only_when_told(
    settings: SeedSettings,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    seeding_runs: list[tuple[str, SeedRun]],
) -> None:
    assert run(settings, ["apply"]) == 1
    assert "apply against real AWS needs --yes" in caplog.text
    assert seeding_runs == [], "nothing is seeded unconfirmed"
    assert run(settings, ["apply", "--yes"]) == 0
    assert all(line.startswith("= ") for line in plan_lines(settings, capsys))
    assert [name for name, _ in seeding_runs] == registry().names, "every service, in order"
    assert {r.fixtures for _, r in seeding_runs} == {"never"}, "no fixtures on real AWS unasked"
    assert {r.demo_api_key for _, r in seeding_runs} == {"demo-key-0123456789"}
    seeding_runs.clear()
    assert run(settings, ["apply", "--yes", "--with-fixtures"]) == 0
    assert {r.fixtures for _, r in seeding_runs} == {"always"}


def test_apply_twice_is_a_no_op(
    settings: SeedSettings, clients: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    assert run(settings, ["apply", "--yes"]) == 0
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert run(settings, ["apply", "--yes"]) == 0
    assert "done: nothing to do, all in place" in caplog.text


def test_plan_shows_drift(
    settings: SeedSettings, clients: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, ["apply", "--yes"]) == 0
    bucket = f"{PREFIX}things-bucket"
    clients["s3"].delete_bucket_encryption(Bucket=bucket)
    lines = plan_lines(settings, capsys)
    assert f"~ bucket {bucket}: enable default encryption" in lines
    assert run(settings, ["apply", "--yes"]) == 0
    assert all(line.startswith("= ") for line in plan_lines(settings, capsys))


def test_what_a_real_account_should_have_is_on(
    settings: SeedSettings, clients: dict[str, Any]
) -> None:
    assert run(settings, ["apply", "--yes"]) == 0
    dynamodb, s3, sqs = clients["dynamodb"], clients["s3"], clients["sqs"]
    (table,) = dynamodb.list_tables()["TableNames"]
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    (bucket,) = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    queues = sqs.list_queues(QueueNamePrefix=PREFIX)["QueueUrls"]
    assert len(queues) == 2
    for url in queues:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["SqsManagedSseEnabled"] == "true"


def test_destroy_asks_for_the_stack_name(
    settings: SeedSettings, clients: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    assert run(settings, ["apply", "--yes"]) == 0
    prompts: list[str] = []

    def answer(prompt: str) -> str:
        prompts.append(prompt)
        return "yes"

    assert run(settings, ["destroy"], ask=answer) == 1
    assert prompts == ["Type motostack-local to delete all of its resources: "]
    assert "not confirmed; nothing deleted" in caplog.text
    assert clients["dynamodb"].list_tables()["TableNames"], "nothing was deleted"
    assert run(settings, ["destroy"], ask=lambda prompt: "motostack-local") == 0


def test_destroy_leaves_nothing_of_the_stack_behind(
    settings: SeedSettings, clients: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, ["apply", "--yes"]) == 0
    clients["s3"].put_object(Bucket=f"{PREFIX}things-bucket", Key="x", Body=b"x")
    assert run(settings, ["destroy", "--yes"]) == 0
    c = clients
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


def test_apply_provisions_the_internal_token_once(
    settings: SeedSettings, clients: dict[str, Any]
) -> None:
    """A platform secret: the generic seeder fills it in, whichever services are registered."""
    assert run(settings, ["apply", "--yes"]) == 0
    secret = internal_token_secret(settings).name

    def token() -> str:
        return parse_token(
            clients["secretsmanager"].get_secret_value(SecretId=secret)["SecretString"]
        )

    first = token()
    assert run(settings, ["apply", "--yes"]) == 0
    assert token() == first, "services cache the token: a re-seed must keep it"
