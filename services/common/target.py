"""Which AWS a process talks to: decided once at start-up, refused when in doubt.

Botocore sends a call to real AWS whenever no endpoint variable covers the
service, with whatever credentials the machine has. So:

* ``STACK_TARGET=local`` (the default) refuses to start unless every AWS
  service the process uses has an endpoint: ``AWS_ENDPOINT_URL`` or the
  service's own ``AWS_ENDPOINT_URL_<SERVICE>``. A forgotten variable can never
  send a developer's real credentials to a real account.
* ``STACK_TARGET=aws`` needs ``ALLOW_REAL_AWS=1`` and ``AWS_ENDPOINT_URL``
  unset (a per-service variable may stay: that service was chosen on
  purpose), then logs the account, region and stack it is about to use.
"""

import logging
import os
from collections.abc import Iterable, Mapping

from services.common.aws import aws_client, endpoint_variable
from services.common.settings import StackSettings

logger = logging.getLogger(__name__)


class TargetRefused(RuntimeError):
    """The configuration could reach the wrong AWS; the message says what to set."""


def check_target(
    settings: StackSettings, services: Iterable[str], environ: Mapping[str, str] = os.environ
) -> None:
    """Raise TargetRefused unless the target and the endpoint variables agree."""
    if settings.stack_target == "local":
        if environ.get("AWS_ENDPOINT_URL"):
            return
        uncovered = [s for s in services if not environ.get(endpoint_variable(s))]
        if uncovered:
            raise TargetRefused(
                "STACK_TARGET=local, but no endpoint is set for "
                f"{', '.join(uncovered)}: calls would go to real AWS. Set AWS_ENDPOINT_URL "
                "(e.g. http://localhost:4566; make up and make dev set it), or target AWS "
                "on purpose with STACK_TARGET=aws ALLOW_REAL_AWS=1."
            )
        return
    if not settings.allow_real_aws:
        raise TargetRefused(
            "STACK_TARGET=aws talks to a real AWS account and needs ALLOW_REAL_AWS=1 as well."
        )
    if environ.get("AWS_ENDPOINT_URL"):
        raise TargetRefused(
            f"STACK_TARGET=aws, but AWS_ENDPOINT_URL={environ['AWS_ENDPOINT_URL']} is set: "
            "unset it (to redirect one service on purpose, use AWS_ENDPOINT_URL_<SERVICE>)."
        )


def enforce_target(settings: StackSettings, services: Iterable[str]) -> None:
    """Check, then, for real AWS, say once which account, region and stack this is."""
    check_target(settings, services)
    if settings.stack_target == "aws":
        account = aws_client("sts", settings).get_caller_identity()["Account"]
        logger.warning(
            "targeting real AWS: account %s, region %s, stack %s-%s",
            account, settings.aws_region, settings.stack_name, settings.stage,
        )  # fmt: skip
