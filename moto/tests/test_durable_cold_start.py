"""A fresh server does before its first answer only what plain Moto does: no service's code.

``moto_server`` imports a service on that service's first request; durable Moto
patches a service, and records its keys and Lambda runs, as it is imported.
Work is counted, never timed: which modules the server process imported, from
Python's own import log (``PYTHONPROFILEIMPORTTIME``), at its first answer and
after requests to a few services. That a service loaded late is patched all
the same is seen from outside: a DynamoDB transaction that Moto as released
would not roll back.
"""

import re
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from moto.backend_index import backend_url_patterns

from durable_harness import DurableServer, create_table

IMPORT_LOG = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.MULTILINE)
IMPORT_LOG_HEADER = "import time: self [us] | cumulative | imported package"
"""What each Python process writes first to its import log."""

SERVICES = {f"moto.{name}" for name, _ in backend_url_patterns} - {"moto.moto_api"}
"""Moto's services, each imported by ``moto_server`` on its first request (``moto_api``,
Moto's own API, answers the readiness check)."""


def imported(server: DurableServer) -> set[str]:
    """Every module the server process has imported so far."""
    return set(IMPORT_LOG.findall(server.output()))


def services(modules: set[str]) -> set[str]:
    return {".".join(name.split(".")[:2]) for name in modules} & SERVICES


def test_a_service_is_imported_on_its_first_request_and_patched_then(tmp_path: Path) -> None:
    server = DurableServer(tmp_path / "data", PYTHONPROFILEIMPORTTIME="1")
    server.start()  # returns once /moto-api/ answered 200: recovered, patched, serving
    try:
        at_start = imported(server)
        assert {"durable_moto.server", "moto.moto_api"} <= at_start  # the log is complete
        assert services(at_start) == set()
        assert not {name for name in at_start if name.startswith("cryptography")}

        db = create_table(server)  # DynamoDB's first request: its patch is applied now
        table = db.describe_table(TableName="t")["Table"]["TableArn"]
        with pytest.raises(ClientError, match="TransactionCanceled"):
            db.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": {"k": {"S": "a"}}}},
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": {"k": {"S": "missing"}},
                            "ConditionExpression": "attribute_exists(k)",
                        }
                    },
                ]
            )
        # Moto as released rolls back tables named by name only and keeps the Put.
        assert db.scan(TableName="t")["Count"] == 0
        server.client("sqs").create_queue(QueueName="orders")
        server.client("lambda").list_functions()
        assert {"moto.dynamodb", "moto.sqs", "moto.awslambda"} <= services(imported(server))
    finally:
        server.kill()


def test_the_start_that_only_reads_the_hash_seed_imports_nothing_of_weight(
    tmp_path: Path,
) -> None:
    """``serve`` reads its directory's hash seed, then starts itself again with it (``cli``):
    whatever the first process imports is paid twice on every start. With ``dataclasses``,
    ``secrets`` and ``logging`` it was a tenth of a cold start."""
    server = DurableServer(tmp_path / "data", PYTHONPROFILEIMPORTTIME="1")
    server.start()
    try:
        processes = server.output().split(IMPORT_LOG_HEADER)[1:]
        assert len(processes) == 2  # the start that reads the seed, and the server
        first = set(IMPORT_LOG.findall(processes[0]))
        assert {"durable_moto.cli", "durable_moto.config", "durable_moto.runfiles"} <= first
        assert first & {"dataclasses", "inspect", "secrets", "logging", "moto"} == set()
        assert "moto" in IMPORT_LOG.findall(processes[1])
    finally:
        server.kill()
