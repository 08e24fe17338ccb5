"""A boto3 client for a Moto server the scripts' tests started themselves."""

from typing import Any

import boto3


def client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
