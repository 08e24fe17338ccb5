"""Make declared resources exist, idempotently, and say what changed.

Each ``ensure_*`` returns ``"created"`` or ``"exists"``, so a second run can
report that it changed nothing.
"""

import json
import logging
from typing import Any, Literal

from botocore.exceptions import ClientError

from services.common.aws import topic_arn
from services.common.resources import (
    Bucket,
    EmailIdentity,
    Queue,
    Resource,
    Secret,
    Subscription,
    Table,
    Topic,
)

Outcome = Literal["created", "exists"]
logger = logging.getLogger(__name__)


def ensure_table(dynamodb: Any, table: Table) -> Outcome:
    try:
        dynamodb.describe_table(TableName=table.name)
        return "exists"
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    request: dict[str, Any] = {
        "TableName": table.name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in table.key_attributes()
        ],
        "KeySchema": _key_schema(table.partition_key, table.sort_key),
    }
    if table.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ]
    try:
        dynamodb.create_table(**request)
    except ClientError as error:  # another seeder won the race
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
        return "exists"
    dynamodb.get_waiter("table_exists").wait(
        TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    if table.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=table.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
    return "created"


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


def ensure_bucket(s3: Any, bucket: Bucket, region: str) -> Outcome:
    outcome: Outcome = "exists"
    try:
        s3.head_bucket(Bucket=bucket.name)
    except ClientError as error:
        if error.response["Error"]["Code"] not in {"404", "NoSuchBucket", "NotFound"}:
            raise
        request: dict[str, Any] = {"Bucket": bucket.name}
        if region != "us-east-1":  # us-east-1 rejects an explicit location constraint
            request["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**request)
        outcome = "created"
    if bucket.cors_origins:
        s3.put_bucket_cors(
            Bucket=bucket.name,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": list(bucket.cors_origins),
                        "AllowedMethods": ["GET", "PUT", "HEAD"],
                        "AllowedHeaders": ["*"],
                        "MaxAgeSeconds": 3600,
                    }
                ]
            },
        )
    return outcome


def ensure_topic(sns: Any, topic: Topic) -> Outcome:
    if topic_arn(sns, topic.name):
        return "exists"
    sns.create_topic(Name=topic.name)
    return "created"


def queue_arn(sqs: Any, name: str) -> str:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return arn


def ensure_queue(sqs: Any, queue: Queue) -> Outcome:
    """Create the queue, or bring an existing one's settings back to the declared ones."""
    attributes = {
        "VisibilityTimeout": str(queue.visibility_timeout_seconds),
        "MessageRetentionPeriod": str(queue.retention_seconds),
    }
    if queue.dead_letter_queue:  # declared (and so created) before the queue itself
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": queue_arn(sqs, queue.dead_letter_queue),
                "maxReceiveCount": str(queue.max_receive_count),
            }
        )
    try:
        url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
    except ClientError as error:
        if "NonExistentQueue" not in error.response["Error"]["Code"]:
            raise
        sqs.create_queue(QueueName=queue.name, Attributes=attributes)
        return "created"
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return "exists"


def ensure_subscription(sns: Any, sqs: Any, subscription: Subscription) -> Outcome:
    """Subscribe the queue and let the topic (and only it) deliver to the queue."""
    topic = topic_arn(sns, subscription.topic)
    if topic is None:
        raise LookupError(f"topic {subscription.topic} must be declared before its subscriptions")
    queue = queue_arn(sqs, subscription.queue)
    sqs.set_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName=subscription.queue)["QueueUrl"],
        Attributes={"Policy": json.dumps(_topic_may_send(topic, queue))},
    )
    attributes = {"RawMessageDelivery": str(subscription.raw_message_delivery).lower()}
    if subscription.filter_policy:
        attributes["FilterPolicy"] = json.dumps(subscription.filter_policy)
    paginator = sns.get_paginator("list_subscriptions_by_topic")
    for page in paginator.paginate(TopicArn=topic):
        for existing in page["Subscriptions"]:
            if existing["Protocol"] == "sqs" and existing["Endpoint"] == queue:
                for name, value in attributes.items():
                    sns.set_subscription_attributes(
                        SubscriptionArn=existing["SubscriptionArn"],
                        AttributeName=name,
                        AttributeValue=value,
                    )
                return "exists"
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes=attributes)
    return "created"


def _topic_may_send(topic: str, queue: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
            }
        ],
    }


def ensure_secret(secretsmanager: Any, secret: Secret) -> Outcome:
    try:
        secretsmanager.describe_secret(SecretId=secret.name)
        return "exists"
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    secretsmanager.create_secret(
        Name=secret.name, Description=secret.description, SecretString=secret.initial_value
    )
    return "created"


def ensure_email_identity(ses: Any, identity: EmailIdentity) -> Outcome:
    paginator = ses.get_paginator("list_identities")
    for page in paginator.paginate(IdentityType="EmailAddress"):
        if identity.address in page["Identities"]:
            return "exists"
    ses.verify_email_identity(EmailAddress=identity.address)
    return "created"


def ensure(resource: Resource, clients: dict[str, Any], region: str) -> Outcome:
    """Make one resource exist; ``clients`` maps service names to boto3 clients."""
    match resource:
        case Table():
            return ensure_table(clients["dynamodb"], resource)
        case Bucket():
            return ensure_bucket(clients["s3"], resource, region)
        case Topic():
            return ensure_topic(clients["sns"], resource)
        case Queue():
            return ensure_queue(clients["sqs"], resource)
        case Subscription():
            return ensure_subscription(clients["sns"], clients["sqs"], resource)
        case Secret():
            return ensure_secret(clients["secretsmanager"], resource)
        case EmailIdentity():
            return ensure_email_identity(clients["ses"], resource)
