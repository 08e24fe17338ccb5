"""Each kind of resource, created as declared and left alone when already right."""

import json
from typing import Any, TypeVar

import pytest

from seed.provision import ensure, inspect
from seed.stack import stack_resources
from services.common.aws import topic_arn
from services.common.resources import Bucket, Queue, Resource, Subscription, Table, Topic
from tests.seed.conftest import OWNER


@pytest.fixture
def resources(declared: dict[str, list[Resource]]) -> list[Resource]:
    return declared[OWNER]


@pytest.fixture
def created(clients: dict[str, Any], resources: list[Resource]) -> dict[str, Any]:
    for resource in resources:
        assert ensure(resource, clients, "us-east-1") == "created"
    return clients


R = TypeVar("R")


def one(resources: list[Resource], kind: type[R]) -> R:
    (found,) = [r for r in resources if isinstance(r, kind) and not r.name.endswith("-dlq")]
    return found


def test_the_whole_stack_twice_changes_nothing(created: dict[str, Any]) -> None:
    outcomes = {ensure(r, created, "us-east-1") for r in stack_resources()}
    assert outcomes == {"exists", "created"}  # the gateway's secret was not there yet
    assert {ensure(r, created, "us-east-1") for r in stack_resources()} == {"exists"}


def test_table_has_the_declared_keys_and_index(
    created: dict[str, Any], resources: list[Resource]
) -> None:
    table = one(resources, Table)
    description = created["dynamodb"].describe_table(TableName=table.name)["Table"]
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    (index,) = description["GlobalSecondaryIndexes"]
    assert [key["AttributeName"] for key in index["KeySchema"]] == ["entity", "created"]


def test_bucket_allows_browser_uploads_and_drift_is_seen_and_repaired(
    created: dict[str, Any], resources: list[Resource]
) -> None:
    bucket = one(resources, Bucket)
    s3 = created["s3"]
    assert "PUT" in s3.get_bucket_cors(Bucket=bucket.name)["CORSRules"][0]["AllowedMethods"]
    s3.delete_bucket_encryption(Bucket=bucket.name)
    s3.delete_public_access_block(Bucket=bucket.name)
    drift = inspect(bucket, created)
    assert drift.changes == ["block public access", "enable default encryption"]
    assert ensure(bucket, created, "us-east-1") == "updated"
    assert inspect(bucket, created).changes == []


def test_the_queue_is_subscribed_raw_and_filtered_with_its_dead_letters(
    created: dict[str, Any], resources: list[Resource]
) -> None:
    sns, sqs = created["sns"], created["sqs"]
    topic = topic_arn(sns, one(resources, Topic).name)
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])[
        "Attributes"
    ]
    assert attributes["RawMessageDelivery"] == "true"
    assert json.loads(attributes["FilterPolicy"]) == one(resources, Subscription).filter_policy
    queue = one(resources, Queue)
    url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    queue_attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(queue_attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(f"{queue.dead_letter_queue}")
    assert int(redrive["maxReceiveCount"]) == 3
    policy = json.loads(queue_attributes["Policy"])
    assert policy["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": topic}}


def test_the_sender_is_verified(created: dict[str, Any]) -> None:
    assert "things@motostack.example" in created["ses"].list_identities()["Identities"]
