import json
from typing import Any

from seed.provision import ensure
from seed.stack import stack_resources
from services.catalog.resources import catalog_resources
from services.catalog.settings import CatalogSettings
from services.common.aws import topic_arn
from services.fulfillment.settings import FulfillmentSettings
from services.gateway.seeding import ensure_api_key
from services.gateway.settings import GatewaySettings
from services.orders.settings import OrdersSettings


def test_second_run_changes_nothing(
    provisioned: dict[str, Any], catalog_settings: CatalogSettings
) -> None:
    outcomes = [
        ensure(resource, provisioned, "us-east-1")
        for resource in catalog_resources(catalog_settings)
    ]
    assert outcomes == ["exists", "exists"]


def test_table_has_the_declared_keys_and_index(
    provisioned: dict[str, Any], catalog_settings: CatalogSettings
) -> None:
    table = provisioned["dynamodb"].describe_table(TableName=catalog_settings.products_table)
    description = table["Table"]
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    (index,) = description["GlobalSecondaryIndexes"]
    assert [key["AttributeName"] for key in index["KeySchema"]] == ["entity", "created"]


def test_bucket_allows_browser_uploads(
    provisioned: dict[str, Any], catalog_settings: CatalogSettings
) -> None:
    rules = provisioned["s3"].get_bucket_cors(Bucket=catalog_settings.images_bucket)["CORSRules"]
    assert "PUT" in rules[0]["AllowedMethods"]


def test_the_whole_stack_twice_changes_nothing(stack_clients: dict[str, Any]) -> None:
    outcomes = {ensure(r, stack_clients, "us-east-1") for r in stack_resources()}
    assert outcomes == {"exists"}


def test_the_worker_queue_is_subscribed_raw_and_filtered(stack_clients: dict[str, Any]) -> None:
    sns, sqs = stack_clients["sns"], stack_clients["sqs"]
    topic = topic_arn(sns, OrdersSettings().events_topic)
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])[
        "Attributes"
    ]
    assert attributes["RawMessageDelivery"] == "true"
    assert json.loads(attributes["FilterPolicy"]) == {"event_type": ["OrderPlaced"]}
    worker = FulfillmentSettings()
    queue = sqs.get_queue_url(QueueName=worker.queue)["QueueUrl"]
    queue_attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])[
        "Attributes"
    ]
    redrive = json.loads(queue_attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(worker.dead_letter_queue)
    assert int(redrive["maxReceiveCount"]) == 3
    policy = json.loads(queue_attributes["Policy"])
    assert policy["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": topic}}


def test_the_sender_is_verified_and_the_api_key_stored_once(
    stack_clients: dict[str, Any],
) -> None:
    ses, secrets = stack_clients["ses"], stack_clients["secretsmanager"]
    assert FulfillmentSettings().sender_email in ses.list_identities()["Identities"]
    secret = GatewaySettings().api_keys_secret
    assert ensure_api_key(secrets, secret, "demo-key-0123456789") == "created"
    assert ensure_api_key(secrets, secret, "demo-key-0123456789") == "exists"
    stored = json.loads(secrets.get_secret_value(SecretId=secret)["SecretString"])
    assert stored == {"keys": ["demo-key-0123456789"]}
