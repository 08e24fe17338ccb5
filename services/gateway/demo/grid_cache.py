"""The shop's first page must render fast on a loaded machine, and the catalog query behind
it is the slow part. So its pages are kept briefly and served stale while one background
refresh fetches them again (stale-while-revalidate): a shopper never waits for the catalog
after the first visit, and a product change shows within one refresh. Only the first page
is kept (later pages are fetched as asked), so memory stays bounded whatever cursors arrive.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger(__name__)
Fetch = Callable[[], Awaitable[Any]]


class GridCache:
    def __init__(
        self, fresh_seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fresh = fresh_seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, Any]] = {}
        self._refreshing: dict[str, asyncio.Task[None]] = {}

    async def get(self, key: str, fetch: Fetch) -> Any:
        """The cached value; fetched now only when there is none (errors propagate then)."""
        entry = self._entries.get(key)
        if entry is None:
            value = await fetch()
            self._entries[key] = (self._clock(), value)
            return value
        stored_at, value = entry
        if self._clock() - stored_at >= self._fresh and key not in self._refreshing:
            self._refreshing[key] = asyncio.create_task(self._refresh(key, fetch))
        return value

    async def _refresh(self, key: str, fetch: Fetch) -> None:
        try:
            self._entries[key] = (self._clock(), await fetch())
        except Exception as error:  # keep serving the last good page; the next request retries
            logger.warning("shop grid not refreshed: %s", error)
        finally:
            del self._refreshing[key]
