"""AWS Lambda entry points for orders.

``handler``: API Gateway HTTP API (payload 2.0) events to the same FastAPI app
(Mangum runs its lifespan around each invocation). ``relay_handler``: the outbox
relay for a schedule (EventBridge, every minute), since no background loop
outlives a Lambda invocation.
"""

from typing import Any

from mangum import Mangum

from services.common.target import enforce_target
from services.orders.main import app
from services.orders.settings import OrdersSettings
from services.orders.wiring import build_outbox

handler = Mangum(app, lifespan="auto")


def relay_handler(event: dict[str, Any], context: object) -> dict[str, int]:
    """Publish every pending OrderPlaced event; returns how many went out."""
    settings = OrdersSettings()
    enforce_target(settings, ("dynamodb", "sns"))
    return {"published": build_outbox(settings).relay()}
