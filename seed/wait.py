"""Wait for the AWS endpoint: in compose the seeder may start before Moto listens."""

import logging
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)


class EndpointUnavailable(RuntimeError):
    pass


def wait_for_endpoint(
    dynamodb: Any,
    timeout_seconds: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Retry a cheap call with growing pauses until it answers or the deadline passes."""
    deadline = clock() + timeout_seconds
    pause = 0.25
    while True:
        try:
            dynamodb.list_tables(Limit=1)
            return
        except (BotoCoreError, ClientError) as error:
            remaining = deadline - clock()
            if remaining <= 0:
                raise EndpointUnavailable(
                    f"the AWS endpoint did not answer within {timeout_seconds:g} s "
                    f"(last error: {error}); is Moto running and AWS_ENDPOINT_URL right?"
                ) from error
            logger.info("waiting for the AWS endpoint: %s", error)
            sleep(min(pause, remaining))
            pause = min(pause * 2, 2.0)
