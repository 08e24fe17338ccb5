"""Request-scoped access to what the lifespan created (one client per process)."""

from typing import Annotated

from fastapi import Depends, Request

from services.orders.models import OrderStore
from services.orders.outbox import EventQueue


def _orders(request: Request) -> OrderStore:
    store: OrderStore = request.app.state.orders
    return store


def _events(request: Request) -> EventQueue:
    events: EventQueue = request.app.state.events
    return events


Orders = Annotated[OrderStore, Depends(_orders)]
Events = Annotated[EventQueue, Depends(_events)]
