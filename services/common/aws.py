"""The one place boto3 clients are made.

Endpoints come from the standard SDK variables (botocore reads them), retries use
botocore's ``standard`` mode, and timeouts are bounded so a dead endpoint turns
into an error instead of a hung request.
"""

import os
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
import botocore.session
from botocore.config import Config

from services.common.settings import StackSettings

if TYPE_CHECKING:  # type stubs, a dev dependency: the app image runs without them
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient


@cache
def endpoint_variable(service: str) -> str:
    """The per-service variable botocore reads, named after the service id, not the client
    name (``secretsmanager`` → ``AWS_ENDPOINT_URL_SECRETS_MANAGER``)."""
    service_id = botocore.session.get_session().get_service_model(service).service_id
    return f"AWS_ENDPOINT_URL_{service_id.replace(' ', '_').upper()}"


def _uses_custom_endpoint(service: str) -> bool:
    return bool(os.environ.get("AWS_ENDPOINT_URL") or os.environ.get(endpoint_variable(service)))


MAX_POOL_CONNECTIONS = 40
"""One per thread of the server's thread pool (anyio's default limit, 40), so concurrent
requests never queue for a connection of the process's one client (botocore's default: 10)."""


def client_config(service: str, *, custom_endpoint: bool = False) -> Config:
    """Botocore config for ``service``.

    Emulators are reached by host name and port, where S3's default
    virtual-host addressing (``bucket.host``) cannot resolve, so S3 uses
    path-style addressing whenever an endpoint is overridden.
    """
    path_style = service == "s3" and (custom_endpoint or _uses_custom_endpoint(service))
    return Config(
        signature_version="s3v4" if service == "s3" else None,  # presigned URLs as AWS signs them
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=15,
        max_pool_connections=MAX_POOL_CONNECTIONS,
        s3={"addressing_style": "path"} if path_style else None,
    )


# The services' clients, typed: strict mypy checks every call made on them.
@overload
def aws_client(
    service: Literal["dynamodb"], settings: StackSettings, *, endpoint_url: str | None = None
) -> "DynamoDBClient": ...
@overload
def aws_client(
    service: Literal["s3"], settings: StackSettings, *, endpoint_url: str | None = None
) -> "S3Client": ...
@overload
def aws_client(
    service: Literal["secretsmanager"], settings: StackSettings, *, endpoint_url: str | None = None
) -> "SecretsManagerClient": ...
@overload
def aws_client(
    service: Literal["ses"], settings: StackSettings, *, endpoint_url: str | None = None
) -> "SESClient": ...
@overload
def aws_client(
    service: Literal["sns"], settings: StackSettings, *, endpoint_url: str | None = None
) -> "SNSClient": ...
@overload
def aws_client(
    service: Literal["sqs"], settings: StackSettings, *, endpoint_url: str | None = None
) -> "SQSClient": ...
@overload
def aws_client(
    service: Literal["sts"], settings: StackSettings, *, endpoint_url: str | None = None
) -> "STSClient": ...
@overload
def aws_client(
    service: str, settings: StackSettings, *, endpoint_url: str | None = None
) -> Any: ...
def aws_client(service: str, settings: StackSettings, *, endpoint_url: str | None = None) -> Any:
    """A client for ``service``; ``endpoint_url`` only for deliberate overrides (presigning).
    A name known only at run time (the seeder's loop over services) gets an untyped one."""
    session = boto3.session.Session(region_name=settings.aws_region)
    config = client_config(service, custom_endpoint=endpoint_url is not None)
    make: Any = session.client  # typed per literal name above, not for a str
    return make(service, config=config, endpoint_url=endpoint_url)


def topic_arn(sns: "SNSClient", name: str) -> str | None:
    """The ARN of the topic called ``name``, found by listing: no account id needed."""
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return str(topic["TopicArn"])
    return None
