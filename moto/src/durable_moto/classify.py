"""Which requests can change state, and so must be journaled.

Journaling a read costs a little disk and replay time (a CloudFormation
ValidateTemplate took 4.4 s on every replay); skipping a write loses data. So
the rule is conservative: only operations that are reads by name (Get*,
List*, Describe*, Query, Scan, BatchGet*, Head*), the few read-only operations
named otherwise (``READ_ONLY``), and plain GET/HEAD/OPTIONS on REST services
skip the journal; everything else, ``ReceiveMessage`` included (receipt
handles, receive counts), is journaled, and so are the reads by name that Moto
stores something for (``MUTATING_READS``, ``MUTATING_TARGETS``).
``moto/tests/test_durable_classify.py`` checks the outcome for every operation
of the services the matrix covers.
"""

import json
import re
from urllib.parse import parse_qs

READ_PREFIXES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "Head")

# Named like reads, but Moto stores something when they run (or AWS hands out
# something that must stay valid, as GetActivityTask's task token).
MUTATING_READS = frozenset(
    {
        "GetId",
        "GetOpenIdToken",
        "GetOpenIdTokenForDeveloperIdentity",
        "GetCredentialsForIdentity",
        "GetSessionToken",
        "GetFederationToken",
        "GetShardIterator",
        "GetActivityTask",
    }
)

# Named like reads in one service only, where Moto stores what they answer: DynamoDB
# Streams' GetRecords keeps the NextShardIterator it hands out (a consumer polls with
# it across a restart), while Kinesis's GetRecords encodes its position in the
# iterator itself and stays a read.
MUTATING_TARGETS = frozenset({"DynamoDBStreams_20120810.GetRecords"})

# Not named like reads, but Moto changes nothing when they run: validation,
# simulation, searches and KMS's cryptographic operations (key material is
# created by CreateKey; Encrypt, Sign and the like only use it).
READ_ONLY = frozenset(
    {
        "ValidateTemplate",
        "EstimateTemplateCost",
        "ValidateResourcePolicy",
        "ValidateStateMachineDefinition",
        "ValidateSecurityGroupQuotasForInterface",
        "BatchCheckLayerAvailability",
        "CheckIfPhoneNumberIsOptedOut",
        "TransactGetItems",
        "FilterLogEvents",
        "TestMetricFilter",
        "TestTransformer",
        "TestEventPattern",
        "TestRenderTemplate",
        "SimulateCustomPolicy",
        "SimulatePrincipalPolicy",
        "DecodeAuthorizationMessage",
        "SearchTables",
        "SearchCertificates",
        "SearchLocalGatewayRoutes",
        "SearchTransitGatewayMulticastGroups",
        "SearchTransitGatewayRoutes",
        "Encrypt",
        "Decrypt",
        "ReEncrypt",
        "GenerateDataKey",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateMac",
        "GenerateRandom",
        "Sign",
        "Verify",
        "VerifyMac",
    }
)

# DynamoDB's PartiQL operations are reads when every statement is a SELECT.
_PARTIQL = frozenset({"ExecuteStatement", "BatchExecuteStatement"})
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
# Smithy RPC v2 (CloudWatch's CBOR protocol) names the operation in the path.
_RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")


def operation_name(environ: dict[str, object], body: bytes) -> str | None:
    """The AWS operation, for JSON (X-Amz-Target), RPC v2 and query (Action=) protocols."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if isinstance(target, str) and target:
        return target.rsplit(".", 1)[-1]
    if environ.get("HTTP_SMITHY_PROTOCOL"):
        rpc = _RPC_V2_PATH.match(str(environ.get("PATH_INFO", "")))
        if rpc:
            return rpc.group(1)
    query = str(environ.get("QUERY_STRING", ""))
    if "Action=" in query:
        return parse_qs(query).get("Action", [None])[0]
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if content_type.startswith("application/x-www-form-urlencoded") and b"Action=" in body:
        actions = parse_qs(body.decode("utf-8", "replace")).get("Action")
        return actions[0] if actions else None
    return None


def _only_selects(operation: str, body: bytes) -> bool:
    try:
        request = json.loads(body or b"{}")
        statements = (
            [request["Statement"]]
            if operation == "ExecuteStatement"
            else [item["Statement"] for item in request["Statements"]]
        )
        return bool(statements) and all(_SELECT.match(str(item)) for item in statements)
    except (ValueError, KeyError, TypeError):  # malformed: Moto answers; journal it
        return False


def is_mutating(environ: dict[str, object], body: bytes) -> bool:
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    operation = operation_name(environ, body)
    if operation is None:
        return method not in ("GET", "HEAD", "OPTIONS")
    if operation in MUTATING_READS or environ.get("HTTP_X_AMZ_TARGET") in MUTATING_TARGETS:
        return True
    if operation in READ_ONLY:
        return False
    if operation in _PARTIQL:
        return not _only_selects(operation, body)
    return not operation.startswith(READ_PREFIXES)
