"""A result a test queued, taken by a read, stays taken after a restart.

Moto hands out results queued through ``/moto-api/static/`` one by one, each
kept for the request that took it. Cost Explorer's GetCostAndUsage is a read:
after a restart the queue was full again, and a request for another period
got the result the first one had taken.
"""

from typing import Any

import httpx

from durable_harness import DurableServer

QUEUED = {
    "results": [
        {"ResultsByTime": [{"Estimated": False, "Groups": [], "Total": {"n": {"Amount": "1"}}}]},
        {"ResultsByTime": [{"Estimated": False, "Groups": [], "Total": {"n": {"Amount": "2"}}}]},
    ]
}


def _amount(server: DurableServer, month: str, *, queued: bool = True) -> str:
    costs = server.client("ce").get_cost_and_usage(
        TimePeriod={"Start": f"2026-{month}-01", "End": f"2026-{month}-28"},
        Granularity="MONTHLY",
        Metrics=["n"],
    )
    if not queued:
        assert costs["ResultsByTime"] == []  # Moto's answer with nothing queued
        return ""
    return str(costs["ResultsByTime"][0]["Total"]["n"]["Amount"])


def test_a_queued_result_a_read_took_is_not_handed_out_again(new_server: Any) -> None:
    server: DurableServer = new_server("data")
    server.start()
    for month in ("11", "12"):  # the first reads build backends, and are journaled for that
        _amount(server, month, queued=False)
    queue = f"{server.url}/moto-api/static/ce/cost-and-usage-results"
    assert httpx.post(queue, json=QUEUED).status_code == 201
    assert _amount(server, "01") == "1"
    server.kill()

    server.start()
    assert _amount(server, "02") == "2"  # the next one in the queue
    assert _amount(server, "01") == "1"  # kept for the request that took it
