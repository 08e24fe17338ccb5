"""`make aws-*` (scripts/aws.sh) refuses to touch real AWS unless asked twice."""

import subprocess

from devstack.components import REPO_ROOT
from tests.processes import fresh_env


def aws_script(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO_ROOT / "scripts" / "aws.sh"), *args],
        cwd=REPO_ROOT,
        env=fresh_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_allow_real_aws_nothing_happens() -> None:
    result = aws_script("plan")
    assert result.returncode == 4
    assert (
        "STACK_TARGET=aws talks to a real AWS account and needs ALLOW_REAL_AWS=1" in result.stdout
    )


def test_a_leftover_endpoint_is_refused_too() -> None:
    result = aws_script("apply", ALLOW_REAL_AWS="1", AWS_ENDPOINT_URL="http://localhost:4566")
    assert result.returncode == 4
    assert "unset it" in result.stdout
