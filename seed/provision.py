"""Make declared resources exist, idempotently, and say what changed.

Each ``ensure_*`` returns ``"created"`` or ``"exists"``, so a second run can
report that it changed nothing.
"""

import logging
from typing import Any, Literal

from botocore.exceptions import ClientError

from services.common.resources import Bucket, Resource, Table

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


def ensure(resource: Resource, clients: dict[str, Any], region: str) -> Outcome:
    if isinstance(resource, Table):
        return ensure_table(clients["dynamodb"], resource)
    return ensure_bucket(clients["s3"], resource, region)
