"""durable Moto's serializer patch: a member's candidate names are worked out once, and every
response is the same as Moto's own.

Work is counted, never timed: how often the alias providers are asked.
"""

from collections.abc import Callable
from typing import Any

import boto3
import pytest
import time_machine
from moto.core import serialize
from moto.moto_api._internal import mock_random
from patch_helpers import moto_aws


def count_alias_questions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts ``has_alias`` calls of the first provider: one per candidate search."""
    asked = [0]
    has_alias = serialize.ExplicitAlias.has_alias

    def counted(provider: serialize.ExplicitAlias, key: str) -> bool:
        asked[0] += 1
        return has_alias(provider, key)

    monkeypatch.setattr(serialize.ExplicitAlias, "has_alias", counted)
    return asked


def client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1")  # type: ignore[call-overload]


def a_table_with_an_item() -> Any:
    db = client("dynamodb")
    db.create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    item = {"pk": {"S": "a"}, "n": {"N": "1"}, "l": {"L": [{"M": {"s": {"S": "x"}}}]}}
    db.put_item(TableName="t", Item=item)
    return db


@pytest.mark.parametrize("patched", [True, False], ids=["patched", "released"])
def test_candidates_are_worked_out_once_per_member(
    patched: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    with moto_aws(patched=patched):
        db = a_table_with_an_item()
        asked = count_alias_questions(monkeypatch)
        db.get_item(TableName="t", Key={"pk": {"S": "a"}})
        first = asked[0]
        for _ in range(20):
            db.get_item(TableName="t", Key={"pk": {"S": "a"}})
        again = asked[0] - first
    if patched:
        assert again == 0
    else:
        assert again == 20 * first > 0  # Moto as released: every response asks again


def _plain(value: Any) -> Any:
    """A response without its request id and headers, which differ from run to run."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "read"):
        return value.read()
    return value


def _dynamodb() -> list[Any]:
    db = a_table_with_an_item()
    key = {"pk": {"S": "a"}}
    return [
        db.get_item(TableName="t", Key=key),
        db.query(
            TableName="t",
            KeyConditionExpression="pk = :a",
            ExpressionAttributeValues={":a": {"S": "a"}},
        ),
        db.describe_table(TableName="t"),
        db.update_item(
            TableName="t",
            Key=key,
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        ),
    ]


def _sqs() -> list[Any]:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
    sqs.send_message(
        QueueUrl=url,
        MessageBody="m",
        MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}},
    )
    everything = {"MessageAttributeNames": ["All"], "MessageSystemAttributeNames": ["All"]}
    return [
        sqs.receive_message(QueueUrl=url, **everything),
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]),
    ]


def _sns() -> list[Any]:
    sns = client("sns")
    arn = sns.create_topic(Name="t", Attributes={"DisplayName": "d"})["TopicArn"]
    return [
        sns.list_topics(),
        sns.get_topic_attributes(TopicArn=arn),
        sns.list_tags_for_resource(ResourceArn=arn),
    ]


def _ec2() -> list[Any]:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")
    return [ec2.describe_vpcs(), ec2.describe_subnets(), ec2.describe_security_groups()]


def _iam() -> list[Any]:
    iam = client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}", Description="d")
    return [iam.get_role(RoleName="r"), iam.list_roles()]


def _rds() -> list[Any]:
    rds = client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="u",
        MasterUserPassword="password1",
    )
    return [rds.describe_db_instances()]


@pytest.mark.parametrize("calls", [_dynamodb, _sqs, _sns, _ec2, _iam, _rds])
def test_responses_are_the_same_as_moto_released(calls: Callable[[], list[Any]]) -> None:
    answers = []
    for patched in (False, True):
        with moto_aws(patched=patched), time_machine.travel(1_796_000_000, tick=False):
            mock_random.seed(7)
            answers.append(_plain(calls()))
    assert answers[1] == answers[0]
