"""The guard rails between a developer's machine and a real AWS account."""

import logging
import subprocess
import sys

import pytest

from devstack.components import REPO_ROOT
from services.common.settings import StackSettings
from services.common.target import TargetRefused, check_target, enforce_target
from tests.processes import fresh_env

LOCAL = StackSettings(stack_target="local")
AWS = StackSettings(stack_target="aws", allow_real_aws=True)


def test_local_with_an_endpoint_is_fine() -> None:
    check_target(LOCAL, ["dynamodb", "s3"], {"AWS_ENDPOINT_URL": "http://localhost:4566"})


def test_local_with_every_service_covered_one_by_one_is_fine() -> None:
    env = {"AWS_ENDPOINT_URL_DYNAMODB": "http://x", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://x"}
    check_target(LOCAL, ["dynamodb", "secretsmanager"], env)


def test_local_without_an_endpoint_refuses_naming_what_would_leak() -> None:
    with pytest.raises(TargetRefused) as refused:
        check_target(LOCAL, ["dynamodb", "s3"], {"AWS_ENDPOINT_URL_S3": "http://x"})
    assert str(refused.value).startswith(
        "STACK_TARGET=local, but no endpoint is set for dynamodb: calls would go to real AWS."
    )


def test_aws_needs_the_second_switch() -> None:
    with pytest.raises(TargetRefused, match="needs ALLOW_REAL_AWS=1"):
        check_target(StackSettings(stack_target="aws", allow_real_aws=False), ["s3"], {})


def test_aws_refuses_a_leftover_endpoint() -> None:
    with pytest.raises(TargetRefused, match="AWS_ENDPOINT_URL=http://localhost:4566 is set"):
        check_target(AWS, ["s3"], {"AWS_ENDPOINT_URL": "http://localhost:4566"})


def test_aws_allows_a_deliberate_per_service_endpoint() -> None:
    check_target(AWS, ["s3", "ses"], {"AWS_ENDPOINT_URL_SES": "http://mail-catcher:4566"})


def test_aws_says_which_account_region_and_stack(
    aws: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with caplog.at_level(logging.WARNING):
        enforce_target(AWS, ["s3"])
    assert "account 123456789012, region us-east-1, stack motostack-local" in caplog.text


@pytest.mark.parametrize(
    "argv",
    [
        [sys.executable, "-m", "seed"],
        [sys.executable, "-m", "uvicorn", "services.gateway.main:app", "--port", "0"],
    ],
    ids=["seeder", "service"],
)
def test_processes_refuse_to_start_without_an_endpoint(argv: list[str]) -> None:
    result = subprocess.run(
        argv, cwd=REPO_ROOT, env=fresh_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "no endpoint is set for" in result.stdout + result.stderr
