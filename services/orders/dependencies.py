"""Request-scoped access to what the lifespan created (one client per process)."""

from typing import Annotated

from fastapi import Depends, Request

from services.orders.models import OrderStore
from services.orders.outbox import Outbox


def _orders(request: Request) -> OrderStore:
    store: OrderStore = request.app.state.orders
    return store


def _outbox(request: Request) -> Outbox:
    outbox: Outbox = request.app.state.outbox
    return outbox


Orders = Annotated[OrderStore, Depends(_orders)]
Events = Annotated[Outbox, Depends(_outbox)]
