"""A CloudFormation template of the whole stack, from the same declarations the seeder uses.

Data resources with what a real account should have (private, encrypted
buckets; tables with point-in-time recovery and TTL; encrypted queues with
their dead-letter queue), the SNS → SQS subscription and its queue policy, the
API key secret, the SES sender, and one managed IAM policy per service (the
same statements as the policy files). Names come from STACK_NAME and STAGE at
generation time. Functions and the HTTP API are not in it: they are deployed
with your tool of choice from the handlers (see docs/going-to-aws.md).
"""

import json
import re
from typing import Any

from seed.iam import policy
from seed.provision import PRIVATE, table_shape, topic_may_send
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


def logical_id(resource: Resource, stack_prefix: str) -> str:
    """``motostack-dev-catalog-products`` (a Table) → ``CatalogProductsTable``."""
    name = resource.name.removeprefix(stack_prefix)
    words = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(w[:1].upper() + w[1:] for w in words if w) + type(resource).__name__


_HERE = "${AWS::Region}:${AWS::AccountId}"


def _sub_arn(service: str, resource: str) -> dict[str, str]:
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:{service}:{_HERE}:{resource}"}


def _properties(resource: Resource, ids: dict[str, str]) -> tuple[str, dict[str, Any]]:
    match resource:
        case Table():
            properties: dict[str, Any] = {
                "TableName": resource.name,
                "BillingMode": "PAY_PER_REQUEST",
                **table_shape(resource),
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"SSEEnabled": True},
            }
            if resource.ttl_attribute:
                properties["TimeToLiveSpecification"] = {
                    "AttributeName": resource.ttl_attribute,
                    "Enabled": True,
                }
            return "AWS::DynamoDB::Table", properties
        case Bucket():
            properties = {
                "BucketName": resource.name,
                "PublicAccessBlockConfiguration": PRIVATE,
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                },
            }
            if resource.cors_origins:
                properties["CorsConfiguration"] = {
                    "CorsRules": [
                        {
                            "AllowedOrigins": list(resource.cors_origins),
                            "AllowedMethods": ["GET", "PUT", "HEAD"],
                            "AllowedHeaders": ["*"],
                            "MaxAge": 3600,
                        }
                    ]
                }
            return "AWS::S3::Bucket", properties
        case Topic():
            return "AWS::SNS::Topic", {"TopicName": resource.name}
        case Queue():
            properties = {
                "QueueName": resource.name,
                "VisibilityTimeout": resource.visibility_timeout_seconds,
                "MessageRetentionPeriod": resource.retention_seconds,
                "SqsManagedSseEnabled": True,
            }
            if resource.dead_letter_queue:
                properties["RedrivePolicy"] = {
                    "deadLetterTargetArn": {"Fn::GetAtt": [ids[resource.dead_letter_queue], "Arn"]},
                    "maxReceiveCount": resource.max_receive_count,
                }
            return "AWS::SQS::Queue", properties
        case Subscription():
            properties = {
                "TopicArn": {"Ref": ids[resource.topic]},
                "Protocol": "sqs",
                "Endpoint": {"Fn::GetAtt": [ids[resource.queue], "Arn"]},
                "RawMessageDelivery": resource.raw_message_delivery,
            }
            if resource.filter_policy:
                properties["FilterPolicy"] = resource.filter_policy
            return "AWS::SNS::Subscription", properties
        case Secret():
            return "AWS::SecretsManager::Secret", {
                "Name": resource.name,
                "Description": resource.description,
                "SecretString": resource.initial_value,
            }
        case EmailIdentity():
            return "AWS::SES::EmailIdentity", {"EmailIdentity": resource.address}


def _queue_policy(subscription: Subscription, ids: dict[str, str]) -> dict[str, Any]:
    topic = {"Ref": ids[subscription.topic]}
    queue = {"Fn::GetAtt": [ids[subscription.queue], "Arn"]}
    return {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {
            "Queues": [{"Ref": ids[subscription.queue]}],
            "PolicyDocument": topic_may_send(topic, queue),
        },
    }


def template(by_service: dict[str, list[Resource]], stack_prefix: str) -> dict[str, Any]:
    """``stack_prefix`` is ``<STACK_NAME>-<STAGE>-``, left out of logical ids."""
    everything = [resource for owned in by_service.values() for resource in owned]
    ids = {resource.name: logical_id(resource, stack_prefix) for resource in everything}
    resources: dict[str, Any] = {}
    for resource in everything:
        kind, properties = _properties(resource, ids)
        resources[ids[resource.name]] = {"Type": kind, "Properties": properties}
        if isinstance(resource, Table | Bucket):  # data outlives a deleted stack by default
            resources[ids[resource.name]] |= {
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
            }
        if isinstance(resource, Subscription):
            resources[ids[resource.name] + "QueuePolicy"] = _queue_policy(resource, ids)
    for service, owned in by_service.items():
        name = f"{stack_prefix}{service}"
        resources[logical_id_of_policy(service)] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "ManagedPolicyName": name,
                "Description": f"What the {service} service needs, and nothing more.",
                "PolicyDocument": policy(owned, _sub_arn),
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"motostack {stack_prefix.rstrip('-')}: data resources and IAM policies",
        "Resources": resources,
        "Outputs": {
            logical_id_of_policy(service): {"Value": {"Ref": logical_id_of_policy(service)}}
            for service in by_service
        },
    }


def logical_id_of_policy(service: str) -> str:
    return f"{service.capitalize()}Policy"


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"
