"""The grid is served from memory and refreshed behind the shopper's back: count fetches."""

import asyncio

from services.gateway.demo.grid_cache import GridCache


class Catalog:
    def __init__(self) -> None:
        self.calls = 0
        self.fail = False

    async def fetch(self) -> int:
        self.calls += 1
        if self.fail:
            raise RuntimeError("catalog down")
        return self.calls


def test_fresh_pages_come_from_memory_and_stale_ones_are_refreshed_once() -> None:
    now = [0.0]
    cache = GridCache(5, clock=lambda: now[0])
    catalog = Catalog()

    async def scenario() -> list[int]:
        seen = [await cache.get("first", catalog.fetch) for _ in range(3)]  # 1 fetch
        now[0] = 6
        seen += [await cache.get("first", catalog.fetch) for _ in range(3)]  # stale: served
        await asyncio.sleep(0)  # the one background refresh runs
        seen.append(await cache.get("first", catalog.fetch))
        return seen

    assert asyncio.run(scenario()) == [1, 1, 1, 1, 1, 1, 2]
    assert catalog.calls == 2


def test_a_failed_refresh_keeps_the_last_good_page() -> None:
    now = [0.0]
    cache = GridCache(5, clock=lambda: now[0])
    catalog = Catalog()

    async def scenario() -> list[int]:
        first = await cache.get("first", catalog.fetch)
        catalog.fail, now[0] = True, 10
        await cache.get("first", catalog.fetch)
        await asyncio.sleep(0)
        return [first, await cache.get("first", catalog.fetch)]

    assert asyncio.run(scenario()) == [1, 1]
