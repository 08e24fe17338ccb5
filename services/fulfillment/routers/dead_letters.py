"""``/dead-letters``: messages the worker gave up on, and a way to retry them."""

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from services.fulfillment.dead_letters import DeadLetterReport
from services.fulfillment.dependencies import DeadLetterQueue

router = APIRouter(prefix="/dead-letters", tags=["dead letters"])


class Redriven(BaseModel):
    moved: int


@router.get("")
async def list_dead_letters(dead_letters: DeadLetterQueue) -> DeadLetterReport:
    """How many messages are in the dead-letter queue, and a sample of them."""
    return await run_in_threadpool(dead_letters.report)


@router.post("/redrive")
async def redrive_dead_letters(dead_letters: DeadLetterQueue) -> Redriven:
    """Send every dead letter back to the work queue (after fixing what made it fail)."""
    return Redriven(moved=await run_in_threadpool(dead_letters.redrive))
