"""Make declared resources exist as declared, idempotently, and say what differs.

For every kind of resource there is an ``inspect_*`` that compares what exists
with the declaration without changing anything (``plan``), and an ``ensure_*``
that creates what is missing and fixes what differs (``apply``). Every resource
also gets what a real account should have: buckets private and encrypted,
tables with point-in-time recovery, queues encrypted (SSE-SQS).
"""

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from botocore.exceptions import ClientError

from services.common.aws import topic_arn
from services.common.resources import (
    Bucket,
    EmailIdentity,
    Index,
    Queue,
    Resource,
    Secret,
    Subscription,
    Table,
    Topic,
)

Outcome = Literal["created", "updated", "exists"]
logger = logging.getLogger(__name__)

PRIVATE = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


@dataclass
class Drift:
    """How an existing resource differs from its declaration."""

    missing: bool = False
    changes: list[str] = field(default_factory=list)

    @property
    def in_place(self) -> bool:
        return not self.missing and not self.changes


def _code(error: ClientError) -> str:
    return str(error.response["Error"]["Code"])


# ---- DynamoDB tables -----------------------------------------------------------------


def inspect_table(dynamodb: Any, table: Table) -> Drift:
    try:
        description = dynamodb.describe_table(TableName=table.name)["Table"]
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
        return Drift(missing=True)
    drift = Drift()
    existing = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes", [])}
    drift.changes += [f"add index {i.name}" for i in table.indexes if i.name not in existing]
    if table.ttl_attribute:
        ttl = dynamodb.describe_time_to_live(TableName=table.name)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
            drift.changes.append(f"enable TTL on {table.ttl_attribute}")
    backups = dynamodb.describe_continuous_backups(TableName=table.name)
    recovery = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    if recovery["PointInTimeRecoveryStatus"] != "ENABLED":
        drift.changes.append("enable point-in-time recovery")
    return drift


def ensure_table(dynamodb: Any, table: Table) -> Outcome:
    drift = inspect_table(dynamodb, table)
    if drift.missing:
        try:
            dynamodb.create_table(
                TableName=table.name, BillingMode="PAY_PER_REQUEST", **table_shape(table)
            )
        except ClientError as error:  # another seeder won the race
            if _code(error) != "ResourceInUseException":
                raise
        dynamodb.get_waiter("table_exists").wait(
            TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        drift = inspect_table(dynamodb, table)
        outcome: Outcome = "created"
    else:
        outcome = "updated" if drift.changes else "exists"
    for index in table.indexes:
        if f"add index {index.name}" in drift.changes:
            dynamodb.update_table(
                TableName=table.name,
                AttributeDefinitions=table_shape(table)["AttributeDefinitions"],
                GlobalSecondaryIndexUpdates=[{"Create": _index_shape(index)}],
            )
    if any(change.startswith("enable TTL") for change in drift.changes):
        dynamodb.update_time_to_live(
            TableName=table.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )
    if "enable point-in-time recovery" in drift.changes:
        dynamodb.update_continuous_backups(
            TableName=table.name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    return outcome


def _key_schema(partition_key: str, sort_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key, "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    return schema


def _index_shape(index: Index) -> dict[str, Any]:
    return {
        "IndexName": index.name,
        "KeySchema": _key_schema(index.partition_key, index.sort_key),
        "Projection": {"ProjectionType": "ALL"},
    }


def table_shape(table: Table) -> dict[str, Any]:
    """Keys and indexes, named as both CreateTable and CloudFormation name them."""
    shape: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in table.key_attributes()
        ],
        "KeySchema": _key_schema(table.partition_key, table.sort_key),
    }
    if table.indexes:
        shape["GlobalSecondaryIndexes"] = [_index_shape(index) for index in table.indexes]
    return shape


# ---- S3 buckets ------------------------------------------------------------------------


def _cors(bucket: Bucket) -> dict[str, Any]:
    return {
        "CORSRules": [
            {
                "AllowedOrigins": list(bucket.cors_origins),
                "AllowedMethods": ["GET", "PUT", "HEAD"],
                "AllowedHeaders": ["*"],
                "MaxAgeSeconds": 3600,
            }
        ]
    }


def inspect_bucket(s3: Any, bucket: Bucket) -> Drift:
    try:
        s3.head_bucket(Bucket=bucket.name)
    except ClientError as error:
        if _code(error) not in {"404", "NoSuchBucket", "NotFound"}:
            raise
        return Drift(missing=True)
    drift = Drift()
    try:
        blocked = s3.get_public_access_block(Bucket=bucket.name)["PublicAccessBlockConfiguration"]
    except ClientError:
        blocked = {}
    if blocked != PRIVATE:
        drift.changes.append("block public access")
    try:
        s3.get_bucket_encryption(Bucket=bucket.name)
    except ClientError:
        drift.changes.append("enable default encryption")
    if bucket.cors_origins:
        try:
            rules = s3.get_bucket_cors(Bucket=bucket.name)["CORSRules"]
        except ClientError:
            rules = []
        wanted = _cors(bucket)["CORSRules"]
        if [{k: r.get(k) for k in wanted[0]} for r in rules] != wanted:
            drift.changes.append("set CORS for browser uploads")
    return drift


def ensure_bucket(s3: Any, bucket: Bucket, region: str) -> Outcome:
    drift = inspect_bucket(s3, bucket)
    if drift.in_place:
        return "exists"
    if drift.missing:
        request: dict[str, Any] = {"Bucket": bucket.name}
        if region != "us-east-1":  # us-east-1 rejects an explicit location constraint
            request["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**request)
    s3.put_public_access_block(Bucket=bucket.name, PublicAccessBlockConfiguration=PRIVATE)
    s3.put_bucket_encryption(
        Bucket=bucket.name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    if bucket.cors_origins:
        s3.put_bucket_cors(Bucket=bucket.name, CORSConfiguration=_cors(bucket))
    return "created" if drift.missing else "updated"


# ---- SNS topics ------------------------------------------------------------------------


def inspect_topic(sns: Any, topic: Topic) -> Drift:
    return Drift(missing=topic_arn(sns, topic.name) is None)


def ensure_topic(sns: Any, topic: Topic) -> Outcome:
    if not inspect_topic(sns, topic).missing:
        return "exists"
    sns.create_topic(Name=topic.name)
    return "created"


# ---- SQS queues --------------------------------------------------------------------------


def queue_arn(sqs: Any, name: str) -> str:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def _queue_url(sqs: Any, name: str) -> str | None:
    try:
        return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except ClientError as error:
        if "NonExistentQueue" not in _code(error):
            raise
        return None


def _queue_attributes(sqs: Any, queue: Queue) -> dict[str, str]:
    attributes = {
        "VisibilityTimeout": str(queue.visibility_timeout_seconds),
        "MessageRetentionPeriod": str(queue.retention_seconds),
        "SqsManagedSseEnabled": "true",
    }
    if queue.dead_letter_queue:  # declared (and so created) before the queue itself
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": queue_arn(sqs, queue.dead_letter_queue),
                "maxReceiveCount": queue.max_receive_count,
            }
        )
    return attributes


def inspect_queue(sqs: Any, queue: Queue) -> Drift:
    url = _queue_url(sqs, queue.name)
    if url is None:
        return Drift(missing=True)
    current = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    drift = Drift()
    for name, wanted in _queue_attributes(sqs, queue).items():
        have = current.get(name)
        if name == "RedrivePolicy" and have:  # AWS may give maxReceiveCount as a number
            same = _same_redrive(json.loads(have), json.loads(wanted))
        else:
            same = have == wanted
        if not same:
            drift.changes.append(f"set {name} to {wanted}")
    return drift


def _same_redrive(have: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return bool(
        have.get("deadLetterTargetArn") == wanted["deadLetterTargetArn"]
        and int(have.get("maxReceiveCount", 0)) == int(wanted["maxReceiveCount"])
    )


def ensure_queue(sqs: Any, queue: Queue) -> Outcome:
    drift = inspect_queue(sqs, queue)
    if drift.missing:
        sqs.create_queue(QueueName=queue.name, Attributes=_queue_attributes(sqs, queue))
        return "created"
    if drift.in_place:
        return "exists"
    url = _queue_url(sqs, queue.name)
    sqs.set_queue_attributes(QueueUrl=url, Attributes=_queue_attributes(sqs, queue))
    return "updated"


# ---- SNS → SQS subscriptions -------------------------------------------------------------


def topic_may_send(topic: Any, queue: Any) -> dict[str, Any]:
    """The queue policy letting only ``topic`` deliver to ``queue`` (ARNs, or CloudFormation
    expressions that give them)."""
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


def _subscription_attributes(subscription: Subscription) -> dict[str, str]:
    attributes = {"RawMessageDelivery": str(subscription.raw_message_delivery).lower()}
    if subscription.filter_policy:
        attributes["FilterPolicy"] = json.dumps(subscription.filter_policy)
    return attributes


def _find_subscription(sns: Any, topic: str, queue: str) -> str | None:
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
        for existing in page["Subscriptions"]:
            if existing["Protocol"] == "sqs" and existing["Endpoint"] == queue:
                return str(existing["SubscriptionArn"])
    return None


def inspect_subscription(sns: Any, sqs: Any, subscription: Subscription) -> Drift:
    topic = topic_arn(sns, subscription.topic)
    url = _queue_url(sqs, subscription.queue)
    if topic is None or url is None:
        return Drift(missing=True)
    queue = queue_arn(sqs, subscription.queue)
    arn = _find_subscription(sns, topic, queue)
    if arn is None:
        return Drift(missing=True)
    drift = Drift()
    current = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    for name, wanted in _subscription_attributes(subscription).items():
        have = current.get(name)
        same = (
            json.loads(have) == json.loads(wanted)
            if have and name == "FilterPolicy"
            else (have == wanted)
        )
        if not same:
            drift.changes.append(f"set {name} to {wanted}")
    policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]
    if json.loads(policy.get("Policy") or "{}") != topic_may_send(topic, queue):
        drift.changes.append("let the topic send to the queue (queue policy)")
    return drift


def ensure_subscription(sns: Any, sqs: Any, subscription: Subscription) -> Outcome:
    """Subscribe the queue and let the topic (and only it) deliver to the queue."""
    drift = inspect_subscription(sns, sqs, subscription)
    if drift.in_place:
        return "exists"
    topic = topic_arn(sns, subscription.topic)
    if topic is None:
        raise LookupError(f"topic {subscription.topic} must be declared before its subscriptions")
    queue = queue_arn(sqs, subscription.queue)
    sqs.set_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName=subscription.queue)["QueueUrl"],
        Attributes={"Policy": json.dumps(topic_may_send(topic, queue))},
    )
    attributes = _subscription_attributes(subscription)
    arn = _find_subscription(sns, topic, queue)
    if arn is None:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes=attributes)
        return "created"
    for name, value in attributes.items():
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName=name, AttributeValue=value
        )
    return "updated"


# ---- Secrets Manager -----------------------------------------------------------------------


def inspect_secret(secretsmanager: Any, secret: Secret) -> Drift:
    try:
        secretsmanager.describe_secret(SecretId=secret.name)
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
        return Drift(missing=True)
    return Drift()


def ensure_secret(secretsmanager: Any, secret: Secret) -> Outcome:
    """Created holding the initial value; an existing value is never overwritten."""
    if not inspect_secret(secretsmanager, secret).missing:
        return "exists"
    secretsmanager.create_secret(
        Name=secret.name, Description=secret.description, SecretString=secret.initial_value
    )
    return "created"


# ---- SES senders -------------------------------------------------------------------------


def inspect_email_identity(ses: Any, identity: EmailIdentity) -> Drift:
    for page in ses.get_paginator("list_identities").paginate(IdentityType="EmailAddress"):
        if identity.address in page["Identities"]:
            return Drift()
    return Drift(missing=True)


def ensure_email_identity(ses: Any, identity: EmailIdentity) -> Outcome:
    """On AWS this sends a verification e-mail; sending works once it is clicked."""
    if not inspect_email_identity(ses, identity).missing:
        return "exists"
    ses.verify_email_identity(EmailAddress=identity.address)
    return "created"


# ---- dispatch ------------------------------------------------------------------------------


def inspect(resource: Resource, clients: dict[str, Any]) -> Drift:
    """Compare one resource with what exists; changes nothing."""
    match resource:
        case Table():
            return inspect_table(clients["dynamodb"], resource)
        case Bucket():
            return inspect_bucket(clients["s3"], resource)
        case Topic():
            return inspect_topic(clients["sns"], resource)
        case Queue():
            return inspect_queue(clients["sqs"], resource)
        case Subscription():
            return inspect_subscription(clients["sns"], clients["sqs"], resource)
        case Secret():
            return inspect_secret(clients["secretsmanager"], resource)
        case EmailIdentity():
            return inspect_email_identity(clients["ses"], resource)


def ensure(resource: Resource, clients: dict[str, Any], region: str) -> Outcome:
    """Make one resource exist as declared; ``clients`` maps service names to boto3 clients."""
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


# ---- removal (destroy) ---------------------------------------------------------------------


def remove(resource: Resource, clients: dict[str, Any]) -> bool:
    """Delete one resource and everything in it; False when it was not there."""
    if inspect(resource, clients).missing:
        return False
    match resource:
        case Table():
            clients["dynamodb"].delete_table(TableName=resource.name)
        case Bucket():
            _empty_bucket(clients["s3"], resource.name)
            clients["s3"].delete_bucket(Bucket=resource.name)
        case Topic():
            clients["sns"].delete_topic(TopicArn=topic_arn(clients["sns"], resource.name))
        case Queue():
            clients["sqs"].delete_queue(QueueUrl=_queue_url(clients["sqs"], resource.name))
        case Subscription():
            topic = topic_arn(clients["sns"], resource.topic)
            assert topic is not None, "inspect found the subscription, so its topic exists"
            arn = _find_subscription(
                clients["sns"], topic, queue_arn(clients["sqs"], resource.queue)
            )
            clients["sns"].unsubscribe(SubscriptionArn=arn)
        case Secret():
            clients["secretsmanager"].delete_secret(
                SecretId=resource.name, ForceDeleteWithoutRecovery=True
            )
        case EmailIdentity():
            clients["ses"].delete_identity(Identity=resource.address)
    return True


def _empty_bucket(s3: Any, name: str) -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        doomed = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if doomed:
            s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})
