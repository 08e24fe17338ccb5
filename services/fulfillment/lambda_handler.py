"""AWS Lambda entry point: the fulfillment worker as an SQS event source mapping.

Configure the mapping with ``ReportBatchItemFailures``: messages that fail are
reported back and only they return to the queue (and, after ``maxReceiveCount``,
to the dead-letter queue); the rest of the batch is deleted by Lambda. The
business logic is the long-polling worker's: ``Fulfiller.fulfil_message``.
"""

import logging
from functools import cache
from typing import Any

from services.common.target import enforce_target
from services.fulfillment.models import Fulfiller
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.wiring import build_fulfiller, orders_http

logger = logging.getLogger(__name__)


@cache
def _fulfiller() -> Fulfiller:
    """Built once per execution environment (cold start), after the target check."""
    settings = FulfillmentSettings()
    enforce_target(settings, ("s3", "ses", "secretsmanager"))
    return build_fulfiller(settings, orders_http(settings))


def handler(event: dict[str, Any], context: object) -> dict[str, list[dict[str, str]]]:
    fulfiller = _fulfiller()
    failures = []
    for record in event.get("Records", []):
        try:
            receives = int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))
            _, outcome = fulfiller.fulfil_message(record["body"], record["messageId"], receives)
        except Exception as error:  # poison or transient alike: SQS decides by receive count
            logger.warning("message %s failed: %s", record["messageId"], error)
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            logger.info("message %s: %s", record["messageId"], outcome)
    return {"batchItemFailures": failures}
