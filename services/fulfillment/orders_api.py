"""The worker reports fulfilment through the orders service's API, never its table."""

from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from services.contracts.orders import PlacedOrder
from services.fulfillment.errors import PoisonMessage, TryLater


class OrdersApi:
    """``http`` has the orders service's base URL (a test passes a TestClient of the app)."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def placed_order(self, order_id: str) -> PlacedOrder:
        """The order as the orders service keeps it. An event is only a notice: a forged or
        stale one must not decide where an e-mail goes, nor a receipt be written for an order
        that does not exist (PoisonMessage: it ends in the dead-letter queue)."""
        response = self._call("GET", order_id)
        try:
            return PlacedOrder.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            raise TryLater(f"orders service answered an unreadable order: {error}") from None

    def mark_fulfilled(
        self, order_id: str, receipt: str, email_message_id: str, request_id: str | None = None
    ) -> None:
        """``request_id`` (the placing request's) makes the whole path share one id in logs."""
        headers = {"X-Request-ID": request_id} if request_id else {}
        self._call(
            "PUT",
            order_id,
            "/fulfillment",
            json={"receipt": receipt, "email_message_id": email_message_id},
            headers=headers,
        )

    def _call(self, method: str, order_id: str, suffix: str = "", **request: Any) -> httpx.Response:
        """One request about one order; what fails becomes TryLater (the service or the network,
        again later) or PoisonMessage (no such order, or refused: never better)."""
        try:
            response = self._http.request(method, f"{_order_path(order_id)}{suffix}", **request)
        except httpx.TransportError as error:
            raise TryLater(f"orders service unreachable: {type(error).__name__}") from error
        if response.status_code == 404:
            raise PoisonMessage(f"the orders service knows no order {order_id}")
        if response.status_code >= 500:
            raise TryLater(f"orders service answered {response.status_code}")
        if response.status_code >= 400:
            raise PoisonMessage(f"orders service refused: {response.status_code} {response.text}")
        return response

    def ping(self) -> None:
        self._http.get("/healthz").raise_for_status()


def _order_path(order_id: str) -> str:
    """An event's order id as one path segment: a forged ``../healthz`` names no order."""
    return f"/orders/{quote(order_id, safe='')}"
