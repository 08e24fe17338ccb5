"""The one place boto3 clients are made.

Endpoints come from the standard SDK variables (botocore reads them), retries use
botocore's ``standard`` mode, and timeouts are bounded so a dead endpoint turns
into an error instead of a hung request.
"""

import os
from functools import cache
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from services.common.settings import StackSettings


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
    s3: dict[str, Any] = {}
    if service == "s3" and (custom_endpoint or _uses_custom_endpoint(service)):
        s3 = {"addressing_style": "path"}
    return Config(
        signature_version="s3v4" if service == "s3" else None,  # presigned URLs as AWS signs them
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=15,
        max_pool_connections=MAX_POOL_CONNECTIONS,
        s3=s3 or None,
    )


def aws_client(service: str, settings: StackSettings, *, endpoint_url: str | None = None) -> Any:
    """A client for ``service``; ``endpoint_url`` only for deliberate overrides (presigning)."""
    session = boto3.session.Session(region_name=settings.aws_region)
    config = client_config(service, custom_endpoint=endpoint_url is not None)
    return session.client(service, config=config, endpoint_url=endpoint_url)


def topic_arn(sns: Any, name: str) -> str | None:
    """The ARN of the topic called ``name``, found by listing: no account id needed."""
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page["Topics"]:
            if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                return str(topic["TopicArn"])
    return None
