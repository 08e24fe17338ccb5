"""The shop at speed, through the gateway, against durable Moto (fsync always): ``make bench``.

Starts a local-process stack the way the e2e suite does (``e2e.stacks``), then measures:

* orders placed per second and their p50/p99 with 1, 2, 4 and 8 clients (httpx, keep-alive);
* once every order of those levels is fulfilled (so nothing else runs), the gateway's
  overhead: the same GET through the gateway and on the service's own port, interleaved;
* the drain of a burst, from an empty queue: the worker is stopped, the burst placed, the
  worker started again; fulfilled per second and placed→fulfilled latency, from the
  orders' own timestamps;
* Moto's RSS before and after ``--orders`` orders, next to the growth of its snapshot (the
  data's own size, pickled) and to its RSS once restarted on the same data (the data's own
  size in memory, without the history that made it).

Writes ``bench/results/shop.json``, then ``docs/shop-benchmarks.md`` and its plots
(``bench/report.py``). Timings are reported, never asserted: shared machines are noisy.
Run with the repository root on ``PYTHONPATH`` (``scripts/bench.sh`` does).
"""

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from devstack.components import DEMO_API_KEY
from devstack.local import ProcessStack
from durable_moto import runfiles
from e2e.stacks import stack_for_tests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "shop.json"
DOCS = ROOT / "docs"
SKUS = [f"BENCH-{n:03d}" for n in range(8)]
STOCK = 1_000_000


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of seconds, in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def cpu_seconds(stack: ProcessStack) -> dict[str, float]:
    """CPU time (user + system) each running component has used so far."""
    used = {}
    for name, (_, pid) in stack.processes().items():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        used[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_ms_each(before: dict[str, float], after: dict[str, float], n: int) -> dict[str, float]:
    """Work, not time: unlike latencies, it hardly moves when other jobs share the cores."""
    return {name: (after[name] - before[name]) * 1000 / n for name in after if name in before}


RETRIES = 3
"""Attempts per order, all with its Idempotency-Key."""


class Shop:
    """HTTP clients of one stack: through the gateway, and on the orders service's port."""

    def __init__(self, stack: ProcessStack) -> None:
        self.stack = stack
        self.gateway = f"{stack.gateway_url}/api"
        self.orders_direct = f"http://127.0.0.1:{stack.ports.services['orders']}"
        self.retries = 0
        self._retry_lock = threading.Lock()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.gateway, timeout=60, headers={"X-API-Key": DEMO_API_KEY})

    def stock_up(self) -> None:
        with self.client() as http:
            for sku in SKUS:
                http.put(f"/inventory/{sku}", json={"available": STOCK}).raise_for_status()

    def place(self, http: httpx.Client, n: int) -> tuple[float, str]:
        """One order of one line; its latency in seconds and its id."""
        body = {
            "customer": f"bench{n % 50}@shop.example",
            "lines": [{"sku": SKUS[n % len(SKUS)], "quantity": 1}],
        }
        key = uuid.uuid4().hex
        started = time.perf_counter()
        for _ in range(RETRIES):
            response = http.post("/orders", json=body, headers={"Idempotency-Key": key})
            if response.status_code < 500:
                break
            # A 5xx (a 504: the gateway stopped waiting) may have placed it or not: sent
            # again with its key, as a client does, it is placed once. Counted, and the
            # wait stays in its latency.
            with self._retry_lock:
                self.retries += 1
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"order refused: {response.status_code} {response.text[:300]}")
        return elapsed, str(response.json()["id"])

    def load(
        self, clients: int, *, seconds: float = 0, orders: int = 0
    ) -> tuple[list[float], list[str], float]:
        """``clients`` threads placing orders for ``seconds``, or ``orders`` in all."""
        latencies: list[float] = []
        ids: list[str] = []
        lock = threading.Lock()
        counter = iter(range(10**9))
        deadline = time.perf_counter() + seconds

        def work() -> None:
            with self.client() as http:
                self.place(http, 0)  # warm the connection; not counted
                while True:
                    with lock:
                        n = next(counter)
                    if (orders and n >= orders) or (seconds and time.perf_counter() > deadline):
                        return
                    latency, order_id = self.place(http, n)
                    with lock:
                        latencies.append(latency)
                        ids.append(order_id)

        threads = [threading.Thread(target=work) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return latencies, ids, time.perf_counter() - started

    def wait_fulfilled(self, ids: list[str], stall: float = 300) -> list[dict[str, Any]]:
        """Every order once FULFILLED; polls one order at a time so it costs the stack little.

        Gives up only when ``stall`` seconds pass without one more order fulfilled: a
        fixed deadline for the whole list ended a run of 10,000 orders on a busy machine
        that was still fulfilling 8 a second."""
        done: list[dict[str, Any]] = []
        deadline = time.monotonic() + stall
        with self.client() as http:
            for order_id in ids:
                while True:
                    order = http.get(f"/orders/{order_id}").raise_for_status().json()
                    if order["status"] == "FULFILLED":
                        done.append(order)
                        deadline = time.monotonic() + stall
                        break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"no order fulfilled in {stall:g} s ({order_id} waits)")
                    time.sleep(0.2)
        return done

    def gateway_overhead(self, order_id: str, rounds: int) -> dict[str, float]:
        """The same GET through the gateway and direct, alternating, on warm connections."""
        through: list[float] = []
        direct: list[float] = []
        cpu_before = cpu_seconds(self.stack)
        with self.client() as via, httpx.Client(base_url=self.orders_direct) as own:
            pairs = ((via, through, "/orders/"), (own, direct, "/orders/"))
            for n in range(rounds + 20):
                for http, sink, prefix in pairs if n % 2 else pairs[::-1]:
                    started = time.perf_counter()
                    http.get(f"{prefix}{order_id}").raise_for_status()
                    if n >= 20:  # warm-up rounds
                        sink.append(time.perf_counter() - started)
        cpu = cpu_ms_each(cpu_before, cpu_seconds(self.stack), rounds + 20)
        return {
            "gateway_cpu_ms": cpu["gateway"],
            "orders_cpu_ms": cpu["orders"] / 2,  # it answered every GET twice
            "gateway_p50": pct(through, 0.5),
            "direct_p50": pct(direct, 0.5),
            "gateway_p99": pct(through, 0.99),
            "direct_p99": pct(direct, 0.99),
            "rounds": rounds,
        }


def moto_memory(stack: ProcessStack) -> dict[str, float]:
    """Moto's RSS, and the size of a fresh snapshot of its state (compacted now)."""
    data_dir = Path(stack.scripts_env["MOTO_DATA_DIR"])
    token = runfiles.read_token(data_dir)
    base = stack.aws_endpoint_url
    httpx.post(
        f"{base}/_durable/compact", headers={"Authorization": f"Bearer {token}"}, timeout=300
    ).raise_for_status()
    status = httpx.get(f"{base}/_durable/status", timeout=30).json()
    while status["compaction"]["running"]:
        time.sleep(0.2)
        status = httpx.get(f"{base}/_durable/status", timeout=30).json()
    pid = stack.processes()["moto"][1]
    rss_kb = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    return {"rss_mb": rss_kb / 1024, "snapshot_mb": status["last_snapshot"]["bytes"] / 2**20}


def drain(shop: Shop, burst: int) -> dict[str, Any]:
    """Stop the worker, place ``burst`` orders, start it, time until every one is fulfilled.
    The CPU each component spends is counted in both halves: placing and fulfilling."""
    shop.stack.stop("fulfillment")
    idle = cpu_seconds(shop.stack)
    _, ids, _ = shop.load(8, orders=burst)
    placed = cpu_seconds(shop.stack)
    shop.stack.start("fulfillment")
    started = cpu_seconds(shop.stack)
    orders = shop.wait_fulfilled(ids)
    fulfilled_cpu = cpu_seconds(shop.stack)
    fulfilled = sorted(datetime.fromisoformat(o["fulfilled_at"]).timestamp() for o in orders)
    latency = [
        datetime.fromisoformat(o["fulfilled_at"]).timestamp()
        - datetime.fromisoformat(o["placed_at"]).timestamp()
        for o in orders
    ]
    span = fulfilled[-1] - fulfilled[0]
    return {
        "orders": burst,
        "seconds": span,
        "fulfilled_per_second": (burst - 1) / span if span > 0 else float("nan"),
        "latency_s": sorted(latency),
        "cpu_ms_per_order_placed": cpu_ms_each(idle, placed, burst + 8),
        "cpu_ms_per_order_fulfilled": cpu_ms_each(started, fulfilled_cpu, burst),
    }


@contextmanager
def local_stack() -> Iterator[ProcessStack]:
    """The e2e suite's own local stack (temporary state, free ports), never a STACK_URL one."""
    os.environ.pop("STACK_URL", None)
    os.environ["E2E_STACK"] = "local"
    os.environ["DURABLE_MOTO_FSYNC"] = "always"
    with stack_for_tests() as stack:
        assert isinstance(stack, ProcessStack)
        yield stack


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }
    with local_stack() as stack:
        shop = Shop(stack)
        shop.stock_up()
        before = moto_memory(stack)
        placed = 0
        levels = []
        backlog: list[str] = []
        for clients in args.clients:
            latencies, ids, seconds = shop.load(clients, seconds=args.seconds)
            backlog += ids
            placed += len(ids) + clients
            levels.append(
                {
                    "clients": clients,
                    "orders": len(latencies),
                    "orders_per_second": len(latencies) / seconds,
                    "p50": pct(latencies, 0.5),
                    "p99": pct(latencies, 0.99),
                }
            )
            print(f"{clients} clients: {levels[-1]}", flush=True)
        results["levels"] = levels
        # The levels' orders are still being fulfilled: the gateway is measured on a quiet
        # stack, and the burst starts from an empty queue (they would be drained with it
        # and count against it).
        shop.wait_fulfilled(backlog)
        results["gateway"] = shop.gateway_overhead(ids[0], args.rounds)
        print(f"gateway: {results['gateway']}", flush=True)
        burst = drain(shop, args.burst)
        placed += burst["orders"] + 8
        results["drain"] = burst
        print(f"drain: {burst['fulfilled_per_second']:.1f}/s in {burst['seconds']:.1f} s")
        rest = max(args.orders - placed, 0)
        if rest:
            _, ids, _ = shop.load(8, orders=rest)
            shop.wait_fulfilled(ids)
            placed += rest + 8
        after = moto_memory(stack)
        # The same state loaded afresh: what the data takes in memory without its history.
        stack.restart("moto")
        restarted = moto_memory(stack)
        results["memory"] = {
            "orders": placed,
            "before": before,
            "after": after,
            "restarted": restarted,
        }
        results["retries"] = shop.retries
        print(f"memory: {results['memory']}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--orders", type=int, default=10_000, help="orders placed in all (RSS before/after)"
    )
    parser.add_argument("--burst", type=int, default=500, help="orders in the drained burst")
    parser.add_argument("--seconds", type=float, default=10, help="per client count")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--rounds", type=int, default=300, help="GETs each way, gateway vs direct")
    parser.add_argument("--label", default="", help="kept in the results, e.g. before/after")
    args = parser.parse_args()
    # A stopped benchmark (Ctrl-C, SIGTERM, a timeout) stops the stack it started.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    results = run(args) | {"label": args.label}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    from report import write_shop_report

    write_shop_report(results, DOCS)
    print(f"wrote {RESULTS} and {DOCS / 'shop-benchmarks.md'}")
    print(json.dumps({k: v for k, v in results.items() if k != "drain"}, indent=1))
    print(f"drain: {statistics.median(results['drain']['latency_s']):.2f} s median latency")


if __name__ == "__main__":
    main()
