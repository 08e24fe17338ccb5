"""The AWS view reads without changing what matters: no peek at redriven queues, no values."""

import json
from typing import Any

from services.fulfillment.settings import FulfillmentSettings
from services.gateway.demo import emulated_aws
from services.gateway.demo.queues import queue_overview
from services.gateway.settings import GatewaySettings


def test_a_queue_with_a_redrive_policy_is_never_received_from(
    stack_clients: dict[str, Any],
) -> None:
    sqs = stack_clients["sqs"]
    settings = FulfillmentSettings()
    work = sqs.get_queue_url(QueueName=settings.queue)["QueueUrl"]
    dead = sqs.get_queue_url(QueueName=settings.dead_letter_queue)["QueueUrl"]
    sqs.send_message(QueueUrl=work, MessageBody="work")
    sqs.send_message(QueueUrl=dead, MessageBody="dead")
    for _ in range(5):  # more than maxReceiveCount: a receiving peek would dead-letter it
        views = {view.info.name: view for view in emulated_aws.queues(sqs)}
    assert views[settings.queue].peeked is None
    assert views[settings.dead_letter_queue].peeked == ["dead"]
    assert views[settings.dead_letter_queue].info.feeds_from == [settings.queue]
    [message] = sqs.receive_message(
        QueueUrl=work, MessageSystemAttributeNames=["ApproximateReceiveCount"]
    )["Messages"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"


def test_queue_depths_count_waiting_and_in_flight(stack_clients: dict[str, Any]) -> None:
    sqs = stack_clients["sqs"]
    settings = FulfillmentSettings()
    url = sqs.get_queue_url(QueueName=settings.dead_letter_queue)["QueueUrl"]
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)
    [info] = [q for q in queue_overview(sqs, "motostack-") if q.name == settings.dead_letter_queue]
    assert (info.visible, info.in_flight) == (2, 1)


def test_secrets_are_listed_by_name_only(stack_clients: dict[str, Any]) -> None:
    secrets = stack_clients["secretsmanager"]
    name = GatewaySettings().api_keys_secret
    secrets.put_secret_value(SecretId=name, SecretString=json.dumps({"keys": ["top-secret"]}))
    listed = emulated_aws.secret_names(secrets)
    assert name in [secret["name"] for secret in listed]
    assert "top-secret" not in json.dumps(listed)


def test_tables_show_counts_and_items_as_plain_json(stack_clients: dict[str, Any]) -> None:
    dynamodb = stack_clients["dynamodb"]
    table = "motostack-local-orders-orders"
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "stock#X-1"}, "available": {"N": "7"}})
    [view] = [t for t in emulated_aws.tables(dynamodb) if t.name == table]
    assert view.items == ['{"available": "7", "pk": "stock#X-1"}']
