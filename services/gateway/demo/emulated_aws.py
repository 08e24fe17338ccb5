"""The emulated AWS at a glance: what is in each table, bucket, queue, topic and secret.

Read-only by construction: only List/Describe/Get/Scan calls, plus a receive
with ``VisibilityTimeout=0`` to peek at queues, under two rules:

* queues with a RedrivePolicy are never peeked. Every receive counts towards
  ``maxReceiveCount``, so a few peeks would push a healthy message into the
  dead-letter queue. Their depths are shown, not their messages.
* secrets show their names and dates, never a value.

Durable Moto's status comes from its ``GET /_durable/status``, which stays
readable without a token; every admin action that changes state is left to
the CLI and ``make snapshot-*``.
"""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from boto3.dynamodb.types import TypeDeserializer
from fastapi.concurrency import run_in_threadpool

from services.gateway.demo.aws_clients import AwsClients
from services.gateway.demo.queues import QueueInfo, queue_overview

SHOWN = 10
"""Items, objects and messages listed per table, bucket and queue."""
_deserializer = TypeDeserializer()


@dataclass
class TableView:
    name: str
    item_count: int
    items: list[str]


@dataclass
class BucketView:
    name: str
    objects: list[dict[str, Any]]
    more: bool


@dataclass
class QueueView:
    info: QueueInfo
    peeked: list[str] | None
    """None when the queue is not peeked (it has a RedrivePolicy)."""


@dataclass
class TopicView:
    arn: str
    subscriptions: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Overview:
    tables: list[TableView]
    buckets: list[BucketView]
    queues: list[QueueView]
    topics: list[TopicView]
    secrets: list[dict[str, str]]
    email_identities: list[str]
    durable: dict[str, Any] | str
    """durable Moto's status, or why it could not be read."""


def _plain_item(item: dict[str, Any]) -> str:
    values = {name: _deserializer.deserialize(value) for name, value in item.items()}
    return json.dumps(values, default=str, sort_keys=True)


def tables(dynamodb: Any) -> list[TableView]:
    views = []
    for page in dynamodb.get_paginator("list_tables").paginate():
        for name in page["TableNames"]:
            count = dynamodb.describe_table(TableName=name)["Table"].get("ItemCount", 0)
            items = dynamodb.scan(TableName=name, Limit=SHOWN)["Items"]
            views.append(TableView(name, int(count), [_plain_item(item) for item in items]))
    return views


def buckets(s3: Any) -> list[BucketView]:
    views = []
    for bucket in s3.list_buckets()["Buckets"]:
        listed = s3.list_objects_v2(Bucket=bucket["Name"], MaxKeys=SHOWN)
        objects = [
            {"key": o["Key"], "size": o["Size"], "modified": o["LastModified"].isoformat()}
            for o in listed.get("Contents", [])
        ]
        views.append(BucketView(bucket["Name"], objects, bool(listed.get("IsTruncated"))))
    return views


def peek(sqs: Any, info: QueueInfo) -> list[str] | None:
    if info.dead_letter_queue is not None:
        return None
    messages = sqs.receive_message(
        QueueUrl=info.url, MaxNumberOfMessages=SHOWN, VisibilityTimeout=0, WaitTimeSeconds=0
    ).get("Messages", [])
    return [str(message["Body"])[:500] for message in messages]


def queues(sqs: Any) -> list[QueueView]:
    return [QueueView(info, peek(sqs, info)) for info in queue_overview(sqs)]


def topics(sns: Any) -> list[TopicView]:
    views = {
        topic["TopicArn"]: TopicView(topic["TopicArn"])
        for page in sns.get_paginator("list_topics").paginate()
        for topic in page["Topics"]
    }
    for page in sns.get_paginator("list_subscriptions").paginate():
        for subscription in page["Subscriptions"]:
            if subscription["TopicArn"] in views:
                views[subscription["TopicArn"]].subscriptions.append(
                    {"protocol": subscription["Protocol"], "endpoint": subscription["Endpoint"]}
                )
    return list(views.values())


def secret_names(secretsmanager: Any) -> list[dict[str, str]]:
    """Names and dates only: GetSecretValue is never called here."""
    return [
        {"name": secret["Name"], "changed": str(secret.get("LastChangedDate", ""))}
        for page in secretsmanager.get_paginator("list_secrets").paginate()
        for secret in page["SecretList"]
    ]


def email_identities(ses: Any) -> list[str]:
    return [str(identity) for identity in ses.list_identities()["Identities"]]


async def durable_status(http: httpx.AsyncClient, endpoint: str) -> dict[str, Any] | str:
    try:
        response = await http.get(f"{endpoint.rstrip('/')}/_durable/status")
    except httpx.HTTPError as error:
        return f"not reachable ({type(error).__name__})"
    if response.status_code != 200:
        return f"not available here ({response.status_code}): is this durable Moto?"
    status: dict[str, Any] = response.json()
    return status


async def overview(aws: AwsClients, http: httpx.AsyncClient) -> Overview:
    listed = asyncio.gather(
        run_in_threadpool(tables, aws.dynamodb),
        run_in_threadpool(buckets, aws.s3),
        run_in_threadpool(queues, aws.sqs),
        run_in_threadpool(topics, aws.sns),
        run_in_threadpool(secret_names, aws.secretsmanager),
        run_in_threadpool(email_identities, aws.ses),
    )
    durable = durable_status(http, aws.sqs.meta.endpoint_url)
    (
        (table_views, bucket_views, queue_views, topic_views, secrets, identities),
        status,
    ) = await asyncio.gather(listed, durable)
    return Overview(
        table_views, bucket_views, queue_views, topic_views, secrets, identities, status
    )
