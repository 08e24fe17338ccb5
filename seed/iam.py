"""Least-privilege IAM policies, one per service, derived from the resources it declares.

A service only touches what it owns, so its policy is its resource list with,
per kind of resource, exactly the actions the code calls: a table is read and
written (transactions need the item actions, queries the indexes), a bucket's
objects are read and written, a topic is published to, a queue consumed (and
sent to, for re-driving dead letters), a secret read, a sender used. Nothing
else, no ``*`` resource except ``sns:ListTopics``, which AWS cannot scope.
"""

from collections.abc import Callable
from typing import Any

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

Arn = Callable[[str, str], Any]
"""``arn(service, resource)``: an ARN, or a CloudFormation expression that makes one."""


def wildcard_arn(service: str, resource: str) -> str:
    """For a policy file: any region and account, the resource named exactly."""
    return f"arn:aws:{service}:*:*:{resource}"


def _statement(sid: str, actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def grants(resource: Resource, arn: Arn) -> list[dict[str, Any]]:
    match resource:
        case Table():
            table = arn("dynamodb", f"table/{resource.name}")
            index = arn("dynamodb", f"table/{resource.name}/index/*")
            return [
                _statement(
                    "Table",
                    [
                        "dynamodb:DescribeTable",
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                        "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem",
                        "dynamodb:ConditionCheckItem",
                        "dynamodb:Query",
                    ],
                    [table],
                ),
                _statement("TableIndexes", ["dynamodb:Query"], [index]),
            ]
        case Bucket():
            bucket = f"arn:aws:s3:::{resource.name}"
            return [
                _statement("Bucket", ["s3:ListBucket"], [bucket]),
                _statement(
                    "Objects",
                    ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    [f"{bucket}/*"],
                ),
            ]
        case Topic():
            return [
                _statement(
                    "Publish",
                    ["sns:Publish", "sns:GetTopicAttributes"],
                    [arn("sns", resource.name)],
                ),
                _statement("FindTopic", ["sns:ListTopics"], ["*"]),
            ]
        case Queue():
            actions = [
                "sqs:GetQueueUrl",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
            ]
            if resource.dead_letter_queue:  # dead letters are re-driven into this queue
                actions.append("sqs:SendMessage")
            return [_statement("Queue", actions, [arn("sqs", resource.name)])]
        case Secret():
            secret = arn("secretsmanager", f"secret:{resource.name}-*")
            return [_statement("Secret", ["secretsmanager:GetSecretValue"], [secret])]
        case EmailIdentity():
            identity = arn("ses", f"identity/{resource.address}")
            return [_statement("SendEmail", ["ses:SendEmail"], [identity])]
        case Subscription():  # infrastructure only: the service never calls SNS about it
            return []


def policy(resources: list[Resource], arn: Arn = wildcard_arn) -> dict[str, Any]:
    """One policy document; statements with the same Sid are merged, ids made unique."""
    merged: dict[str, dict[str, Any]] = {}
    for resource in resources:
        for statement in grants(resource, arn):
            same = merged.get(statement["Sid"])
            if same is not None and same["Action"] == statement["Action"]:
                same["Resource"] += [r for r in statement["Resource"] if r not in same["Resource"]]
            else:
                sid = statement["Sid"] + ("" if same is None else str(len(merged)))
                merged[sid] = statement | {"Sid": sid}
    return {"Version": "2012-10-17", "Statement": list(merged.values())}
