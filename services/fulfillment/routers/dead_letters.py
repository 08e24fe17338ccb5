"""``/dead-letters``: messages the worker gave up on, and a way to retry them."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from services.fulfillment.dead_letters import DeadLetterReport, DeadLetters

router = APIRouter(prefix="/dead-letters", tags=["dead letters"])


class Redriven(BaseModel):
    moved: int


def _dead_letters(request: Request) -> DeadLetters:
    dead_letters: DeadLetters = request.app.state.dead_letters
    return dead_letters


@router.get("")
async def list_dead_letters(request: Request) -> DeadLetterReport:
    """How many messages are in the dead-letter queue, and a sample of them."""
    return await run_in_threadpool(_dead_letters(request).report)


@router.post("/redrive")
async def redrive_dead_letters(request: Request) -> Redriven:
    """Send every dead letter back to the work queue (after fixing what made it fail)."""
    return Redriven(moved=await run_in_threadpool(_dead_letters(request).redrive))
