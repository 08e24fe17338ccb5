"""Read-only AWS clients for the flow and AWS views, made on first use, local stacks only."""

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from services.common.aws import aws_client
from services.common.errors import NotFound
from services.common.target import check_target
from services.gateway.demo.settings import DemoSettings

SERVICES = ("dynamodb", "s3", "sqs", "sns", "secretsmanager", "ses")


@dataclass(frozen=True)
class AwsClients:
    dynamodb: Any
    s3: Any
    sqs: Any
    sns: Any
    secretsmanager: Any
    ses: Any


class InspectionDisabled(NotFound):
    """On real AWS these views would show a live account's data to anyone: they are absent."""


def aws_clients(app: FastAPI, settings: DemoSettings) -> AwsClients:
    if not settings.inspects_aws:
        raise InspectionDisabled("this view exists on local stacks only (STACK_TARGET=local)")
    clients: AwsClients | None = getattr(app.state, "demo_aws", None)
    if clients is None:
        check_target(settings, SERVICES)
        clients = AwsClients(**{name: aws_client(name, settings) for name in SERVICES})
        app.state.demo_aws = clients
    return clients
