"""Request-scoped access to what the lifespan created (one client per process)."""

from typing import Annotated

from fastapi import Depends, Request

from services.fulfillment.dead_letters import DeadLetters
from services.fulfillment.records import FulfilmentRecords


def _dead_letters(request: Request) -> DeadLetters:
    dead_letters: DeadLetters = request.app.state.dead_letters
    return dead_letters


def _records(request: Request) -> FulfilmentRecords:
    records: FulfilmentRecords = request.app.state.records
    return records


DeadLetterQueue = Annotated[DeadLetters, Depends(_dead_letters)]
Records = Annotated[FulfilmentRecords, Depends(_records)]
