"""What a request that failed unexpectedly answers, and the one log line it leaves.

Starlette's own last-resort handler logs an error and then raises it again for
the server to log a second time. This middleware sits inside it and ends the
story: an AWS endpoint that cannot be reached (connection refused, timed out,
throttled or failing on its side) is an outage the client may retry, so it is
a 503 with ``Retry-After`` and a warning; anything else is a bug, a 500 and one
logged traceback. Neither reaches the server as an exception.
"""

import logging

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.errors import Unavailable
from services.common.problems import problem

logger = logging.getLogger(__name__)

_AWS_BUSY = frozenset(
    {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
)


def is_aws_outage(error: BaseException) -> bool:
    """The AWS endpoint, not the request, is the problem: unreachable, overloaded or failing."""
    if isinstance(error, ConnectionError | HTTPClientError):
        return True
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return status >= 500 or error.response["Error"].get("Code") in _AWS_BUSY
    return False


class UnexpectedErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started:  # too late for an answer: the server logs it and drops the connection
                raise
            where = f"{scope['method']} {scope['path']}"
            if is_aws_outage(error):
                logger.warning("AWS unavailable on %s: %s", where, error)
                response = problem(
                    503,
                    f"an AWS service this API needs is unavailable ({type(error).__name__}); "
                    "retry later",
                    instance=scope["path"],
                    headers=Unavailable.headers,
                )
            else:
                logger.exception("unhandled error on %s", where)
                response = problem(
                    500, "The server hit an unexpected error.", instance=scope["path"]
                )
            await response(scope, receive, send)
