"""Property-based fuzzing of every OpenAPI document the stack serves (Schemathesis).

The gateway's stitched document and each service's own, from their own ports, with and
without credentials: examples, edge-case coverage, random fuzzing and stateful
sequences that follow the documents' links (create a product, then read, change and
delete it). Every answer must be below 500, documented (status, content type, headers)
and valid against its documented schema. Fixed seed, bounded examples per operation:
the same cases every run, a few minutes in all.

Only against a local stack the suite started: fuzzing writes thousands of junk products
and orders, which is not something to do to a stack someone else runs.
"""

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from devstack.local import ProcessStack
from e2e.conftest import API_KEY
from e2e.emulated_aws import EmulatedAws
from e2e.stacks import Stack
from services.common.internal import INTERNAL_TOKEN_HEADER, internal_token_secret, parse_token
from services.common.settings import StackSettings
from services.registry import registry

SEED = 20261129
MAX_EXAMPLES = 12
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


@pytest.fixture(scope="module")
def local_stack(stack: Stack) -> ProcessStack:
    if not isinstance(stack, ProcessStack):
        pytest.skip("fuzzing runs against a local stack the suite started")
    return stack


def internal_token(stack: ProcessStack) -> str:
    secret = (
        EmulatedAws(stack.aws_endpoint_url)
        .client("secretsmanager")
        .get_secret_value(SecretId=internal_token_secret(StackSettings()).name)
    )
    return parse_token(secret["SecretString"])


def fuzz(url: str, base: str, headers: dict[str, str], workdir: Path) -> tuple[int, int, str]:
    """Run Schemathesis; returns (operations, test cases, its output) and fails on a failure.

    The coverage phase is left out: on Python 3.11 it stops with a SystemError inside
    Hypothesis's lambda-source parsing, which is no finding about this API."""
    command = [
        str(Path(sys.executable).with_name("st")), "run", url, "--url", base,
        "--phases", "examples,fuzzing,stateful", "--checks", CHECKS,
        "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        "--generation-database", "none", "--workers", "2",
        "--request-timeout", "30", "--no-color", "--suppress-health-check", "all",
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    run = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=900, check=False
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-20000:]
    operations = re.search(r"Tested: (\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    return (
        int(operations.group(1)) if operations else 0,
        int(cases.group(1)) if cases else 0,
        output,
    )


@pytest.mark.parametrize("credentials", ["with-key", "anonymous"])
def test_gateway_api_holds_under_fuzzing(
    local_stack: ProcessStack, credentials: str, tmp_path: Path
) -> None:
    headers = {"X-API-Key": API_KEY} if credentials == "with-key" else {}
    gateway = local_stack.gateway_url
    operations, cases, output = fuzz(f"{gateway}/openapi.json", gateway, headers, tmp_path)
    print(f"gateway ({credentials}): {operations} operations, {cases} cases, 0 failures")
    documented = sum(
        len(methods) for methods in httpx.get(f"{gateway}/openapi.json").json()["paths"].values()
    )
    assert operations >= min(10, documented), output[-5000:]
    assert cases >= operations, output[-5000:]


@pytest.mark.parametrize("service", [service.name for service in registry().upstreams()])
@pytest.mark.parametrize("credentials", ["with-token", "anonymous"])
def test_service_api_holds_under_fuzzing(
    local_stack: ProcessStack, service: str, credentials: str, tmp_path: Path
) -> None:
    base = f"http://127.0.0.1:{local_stack.ports.services[service]}"
    headers = (
        {INTERNAL_TOKEN_HEADER: internal_token(local_stack)} if credentials == "with-token" else {}
    )
    operations, cases, output = fuzz(f"{base}/openapi.json", base, headers, tmp_path)
    print(f"{service} ({credentials}): {operations} operations, {cases} cases, 0 failures")
    assert operations >= 3, output[-5000:]
    assert cases >= operations, output[-5000:]
