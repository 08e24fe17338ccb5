"""Every operation of the matrix's services is journaled, or not, as decided here.

The decision table: an operation is a read when it is named like one (Get*,
List*, Describe*, Query, Scan, BatchGet*, Head*) unless it is in
``MUTATE_DESPITE_NAME``, or when it is in ``READ_DESPITE_NAME``; everything else
changes state and must be journaled. A read may be journaled all the same only
when listed in ``JOURNALED_READS`` (a wasted record, never a lost one). Requests
are built the way botocore sends them, from its service models, so a protocol
change (CloudWatch moved to CBOR) shows up here.
"""

import functools
from typing import Any
from urllib.parse import urlencode

import botocore.serialize
import botocore.session
import pytest

from durable_harness import DurableServer, create_table
from durable_moto.classify import is_mutating
from scenarios import SCENARIOS

READ_NAMES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "Head")

MUTATE_DESPITE_NAME = {
    ("sts", "GetSessionToken"): "Moto keeps the issued credentials",
    ("sts", "GetFederationToken"): "Moto keeps the issued credentials",
    ("kinesis", "GetShardIterator"): "the iterator must stay valid after a restart",
    ("stepfunctions", "GetActivityTask"): "hands out a task token (when in doubt, journal)",
    ("dynamodbstreams", "GetShardIterator"): "Moto keeps the iterator it hands out",
    ("dynamodbstreams", "GetRecords"): "Moto keeps the NextShardIterator it hands out",
}

READ_DESPITE_NAME = {
    ("cloudformation", "ValidateTemplate"): "parses and answers; 4.4 s per replay when journaled",
    ("cloudformation", "EstimateTemplateCost"): "answers a URL",
    ("secretsmanager", "ValidateResourcePolicy"): "checks a policy document",
    ("stepfunctions", "ValidateStateMachineDefinition"): "checks a definition",
    ("ec2", "ValidateSecurityGroupQuotasForInterface"): "checks quotas",
    ("ecr", "BatchCheckLayerAvailability"): "looks layers up",
    ("sns", "CheckIfPhoneNumberIsOptedOut"): "looks a number up",
    ("dynamodb", "TransactGetItems"): "reads items",
    ("logs", "FilterLogEvents"): "reads events",
    ("logs", "TestMetricFilter"): "matches sample lines",
    ("logs", "TestTransformer"): "transforms sample lines",
    ("events", "TestEventPattern"): "matches a sample event",
    ("ses", "TestRenderTemplate"): "renders a template",
    ("iam", "SimulateCustomPolicy"): "evaluates policies",
    ("iam", "SimulatePrincipalPolicy"): "evaluates policies",
    ("sts", "DecodeAuthorizationMessage"): "decodes a message",
    ("glue", "SearchTables"): "searches tables",
    ("acm", "SearchCertificates"): "searches certificates",
    ("ec2", "SearchLocalGatewayRoutes"): "searches routes",
    ("ec2", "SearchTransitGatewayMulticastGroups"): "searches groups",
    ("ec2", "SearchTransitGatewayRoutes"): "searches routes",
    ("route53", "TestDNSAnswer"): "a GET that resolves a name",
    ("s3", "CreateSession"): "a GET; Moto keeps no S3 Express sessions",
    **{
        ("kms", name): "uses key material, stores nothing"
        for name in (
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
        )
    },
}

JOURNALED_READS = {
    ("s3", "SelectObjectContent"): "a POST on a REST API: the method is all there is to go by",
    ("route53", "ListTagsForResources"): "a POST on a REST API",
}

REST = ("rest-json", "rest-xml")


@functools.cache
def service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def matrix_services() -> list[str]:
    known = set(botocore.session.get_session().get_available_services())
    return sorted(scenario.name for scenario in SCENARIOS if scenario.name in known)


def botocore_request(service: str, operation: str) -> tuple[dict[str, object], bytes]:
    """The environ and body Moto would see for this operation with no parameters."""
    model = service_model(service)
    operation_model = model.operation_model(operation)
    if model.protocol in REST:  # the path needs parameters; the method is what counts
        http = operation_model.http
        return {"REQUEST_METHOD": http["method"], "PATH_INFO": http["requestUri"]}, b""
    serializer = botocore.serialize.create_serializer(model.protocol, include_validation=False)
    request = serializer.serialize_to_request({}, operation_model)
    body: Any = request["body"]
    raw = urlencode(body).encode() if isinstance(body, dict) else bytes(body)
    environ: dict[str, object] = {
        "REQUEST_METHOD": request["method"],
        "PATH_INFO": request["url_path"],
        "QUERY_STRING": request["query_string"] or "",
    }
    for name, value in request["headers"].items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return environ, raw


def decided_read(service: str, operation: str) -> bool:
    if (service, operation) in MUTATE_DESPITE_NAME:
        return False
    return operation.startswith(READ_NAMES) or (service, operation) in READ_DESPITE_NAME


def test_the_matrix_services_are_all_walked() -> None:
    assert len(matrix_services()) >= 24


@pytest.mark.parametrize("service", [*matrix_services(), "dynamodbstreams"])
def test_every_operation_is_classified_as_decided(service: str) -> None:
    model = service_model(service)
    wrong = []
    for operation in model.operation_names:
        mutating = is_mutating(*botocore_request(service, operation))
        read = decided_read(service, operation)
        if (service, operation) in JOURNALED_READS:
            assert mutating, f"{operation} is no longer journaled: move it out of the list"
        elif mutating == read:
            wrong.append(f"{operation}: {'journaled' if mutating else 'NOT journaled'}")
    assert not wrong, f"{service} ({model.protocol}): " + "; ".join(wrong)


def test_the_decision_lists_name_real_operations() -> None:
    for service, operation in [*MUTATE_DESPITE_NAME, *READ_DESPITE_NAME, *JOURNALED_READS]:
        assert operation in service_model(service).operation_names


@pytest.mark.parametrize(
    ("operation", "body", "mutating"),
    [
        ("ExecuteStatement", b'{"Statement": "SELECT * FROM orders"}', False),
        ("ExecuteStatement", b'{"Statement": "  select pk FROM orders"}', False),
        ("ExecuteStatement", b'{"Statement": "INSERT INTO orders VALUE {\'pk\': 1}"}', True),
        ("ExecuteStatement", b'{"Statement": "SELECTED"}', True),
        ("ExecuteStatement", b"not json", True),
        (
            "BatchExecuteStatement",
            b'{"Statements": [{"Statement": "SELECT * FROM a"}, {"Statement": "SELECT * FROM b"}]}',
            False,
        ),
        (
            "BatchExecuteStatement",
            b'{"Statements": [{"Statement": "SELECT * FROM a"}, {"Statement": "DELETE FROM b"}]}',
            True,
        ),
    ],
)
def test_partiql_is_a_read_only_when_every_statement_selects(
    operation: str, body: bytes, mutating: bool
) -> None:
    environ: dict[str, object] = {
        "REQUEST_METHOD": "POST",
        "HTTP_X_AMZ_TARGET": f"DynamoDB_20120810.{operation}",
    }
    assert is_mutating(environ, body) is mutating


def test_validate_template_and_cbor_reads_leave_the_journal_alone(server: DurableServer) -> None:
    template = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'
    server.client("s3").create_bucket(Bucket="before")
    # Each service's first request builds its backend, and a read that builds one is
    # journaled (test_durable_first_use): the reads counted here come after.
    server.client("cloudformation").list_stacks()
    server.client("cloudwatch").list_dashboards()
    server.client("kms").list_keys()
    before = server.status()["journal"]["records"]
    server.client("cloudformation").validate_template(TemplateBody=template)
    server.client("cloudwatch").list_metrics()
    server.client("kms").generate_random(NumberOfBytes=16)
    assert server.status()["journal"]["records"] == before
    server.client("cloudwatch").put_metric_data(
        Namespace="shop", MetricData=[{"MetricName": "orders", "Value": 1.0}]
    )
    assert server.status()["journal"]["records"] == before + 1


def test_a_stream_iterator_get_records_handed_out_still_reads_after_a_restart(
    server: DurableServer,
) -> None:
    """A stream consumer polls with the NextShardIterator of its last GetRecords."""
    db = create_table(server, "t-streamed")
    db.update_table(
        TableName="t-streamed",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    db.put_item(TableName="t-streamed", Item={"k": {"S": "before"}})
    streams = server.client("dynamodbstreams")
    stream = streams.list_streams(TableName="t-streamed")["Streams"][0]["StreamArn"]
    shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]
    first = streams.get_shard_iterator(
        StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    polled = streams.get_records(ShardIterator=first)
    assert [record["dynamodb"]["Keys"] for record in polled["Records"]] == [{"k": {"S": "before"}}]
    db.put_item(TableName="t-streamed", Item={"k": {"S": "after"}})
    server.kill()

    server.start()
    again = server.client("dynamodbstreams").get_records(ShardIterator=polled["NextShardIterator"])
    assert [record["dynamodb"]["Keys"] for record in again["Records"]] == [{"k": {"S": "after"}}]
