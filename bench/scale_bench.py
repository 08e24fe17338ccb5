"""Scale and the peer to beat, side by side in one run: part of ``make bench``.

Three servers from the same virtualenv, same client, same workload: Moto's own
``moto_server`` (plain), durable Moto (fsync ``always``), and MiniStack, a free
LocalStack replacement that keeps DynamoDB state only on a clean shutdown. It
measures what must not grow with the data (a transaction's cost and Moto's
memory as the table grows), what a restart after ``kill -9`` costs whatever the
write history, and where each server stands on the single-call latencies.
Writes ``bench/results/scale.json``; ``bench/report.py`` renders it.
Timings are reported, never asserted: shared machines are noisy.
"""

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from moto_bench import (
    OPS,
    ROOT,
    Server,
    cold_starts,
    create_resources,
    load_items,
    pct,
    run_workload,
)

BODY_4KB = os.urandom(4 * 1024)


class MiniStack(Server):
    """MiniStack from the bench extra, on its own port, bound to loopback."""

    ready_path = "/_ministack/health"

    def __init__(self, data_dir: Path) -> None:
        super().__init__("ministack", data_dir)
        self.env = {
            "GATEWAY_PORT": str(self.port),
            "BIND_HOST": "127.0.0.1",
            "TMPDIR": str(data_dir),
        }
        data_dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        executable = ROOT / ".data" / "ministack-venv" / "bin" / "ministack"
        if not executable.exists():
            raise RuntimeError(f"{executable} is missing: run the benchmarks with `make bench`")
        return [str(executable)]


def rss_mb(server: Server) -> float:
    """Resident memory now (not the peak): what a leak grows."""
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_items_parallel(server: Server, count: int, start: int = 0, threads: int = 4) -> None:
    """``count`` more items (keys from ``start``), four loaders at a time."""
    chunk = 2500
    with ThreadPoolExecutor(threads) as pool:
        list(
            pool.map(
                lambda first: load_items(server, min(chunk, start + count - first), first=first),
                range(start, start + count, chunk),
            )
        )


def transact(
    server: Server, count: int, prefix: str, budget_seconds: float = float("inf")
) -> list[float]:
    """Up to ``count`` 3-item TransactWriteItems, each a conditional put of three new items.

    ``budget_seconds``: stop early (after at least five) once they took this long.
    Plain Moto copies the whole table per item of a transaction: at 100,000 items,
    200 of them would take most of an hour and gigabytes it never frees.
    """
    db = server.client("dynamodb")
    timings: list[float] = []
    began = time.perf_counter()
    for n in range(count):
        if len(timings) >= 5 and time.perf_counter() - began > budget_seconds:
            break
        items = [
            {
                "Put": {
                    "TableName": "bench",
                    "Item": {"k": {"S": f"{prefix}-{n}-{i}"}, "v": {"S": "x" * 100}},
                    "ConditionExpression": "attribute_not_exists(k)",
                }
            }
            for i in range(3)
        ]
        started = time.perf_counter()
        db.transact_write_items(TransactItems=items)
        timings.append(time.perf_counter() - started)
    return timings


def transaction_section(
    servers: list[Server], small: int, large: int, count: int
) -> dict[str, Any]:
    """A transaction's p50 with ``small`` vs ``large`` items stored, and memory over ``count``."""
    results: dict[str, Any] = {}
    for server in servers:
        load_items_parallel(server, small)
        transact(server, 20, "warm")
        small_p50 = pct(transact(server, count, "small"), 0.5)
        load_items_parallel(server, large - small, start=small)
        before = rss_mb(server)
        timings = transact(server, count, "large", budget_seconds=120)
        results[server.kind] = {
            "small_p50": small_p50,
            "large_p50": pct(timings, 0.5),
            "large_count": len(timings),
            "rss_growth_mb": rss_mb(server) - before,
            "rss_mb": rss_mb(server),
        }
        print(
            f"  {server.kind:9}: {small_p50:.2f} ms at {small:,}, "
            f"{pct(timings, 0.5):.2f} ms at {large:,} ({len(timings)} transactions)"
        )
    return results


def journal_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.glob("journal-*.log"))


def restart_point(server: Server, history: str, items: int) -> dict[str, Any]:
    """``kill -9`` the durable server, start it again, and time it to ready."""
    journal = journal_bytes(server.data_dir)
    server.kill()
    seconds = server.start()
    print(
        f"  {history}: {items:,} items, journal {journal / 1e6:.1f} MB -> ready in {seconds:.2f} s"
    )
    return {"history": history, "items": items, "journal_mb": journal / 1e6, "seconds": seconds}


def overwrite(server: Server, count: int, items: int, clients: int = 8) -> None:
    """``count`` single PutItems over existing keys: a long history, a constant state."""
    per_client = count // clients

    def work(worker: int) -> None:
        db = server.client("dynamodb")
        for n in range(per_client):
            key = f"item-{(worker * per_client + n) % items:07d}"
            db.put_item(TableName="bench", Item={"k": {"S": key}, "v": {"S": f"v{n}"}})

    threads = [threading.Thread(target=work, args=(w,)) for w in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def restart_section(work: Path, steps: list[int], overwrites: int) -> list[dict[str, Any]]:
    """Restart after ``kill -9`` as items and journal grow, with the default snapshot policy."""
    server = Server("durable", work / "restart")
    server.start()
    create_resources(server)
    points, stored = [], 0
    for target in steps:
        load_items_parallel(server, target - stored, start=stored)
        stored = target
        points.append(restart_point(server, "bulk writes", stored))
    overwrite(server, overwrites, stored)
    points.append(restart_point(server, f"+{overwrites:,} single overwrites", stored))
    transact(server, 500, "restart")
    points.append(restart_point(server, "+500 transactions", stored + 1500))
    server.kill()
    return points


def crash_keeps(server: Server, count: int) -> int:
    """Items still there after ``count`` acknowledged PutItems and a ``kill -9``."""
    db = server.client("dynamodb")
    for n in range(count):
        db.put_item(TableName="bench", Item={"k": {"S": f"crash-{n}"}})
    server.kill()
    server.start()
    db = server.client("dynamodb")
    try:
        keys = [f"crash-{n}" for n in range(count)]
        return sum("Item" in db.get_item(TableName="bench", Key={"k": {"S": k}}) for k in keys)
    except db.exceptions.ResourceNotFoundException:
        return 0  # the table itself was lost


def op_s3_put_4kb(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    started = time.perf_counter()
    c["s3"].put_object(Bucket="bench", Key=f"small-{worker}-{n}", Body=BODY_4KB)
    return {"S3 PutObject 4 KB": time.perf_counter() - started}


def peer_section(servers: list[Server], ops: int) -> dict[str, Any]:
    """Single-call p50s with one client, PutItem throughput with eight."""
    results: dict[str, Any] = {server.kind: {} for server in servers}
    by_name = {op.__name__: op for op in OPS}
    single = [by_name["op_ddb_put"], by_name["op_ddb_get"], by_name["op_sqs_send"], op_s3_put_4kb]
    for op in single:
        for server in servers:
            run_workload(server, op, 1, 5)
        for server in servers:  # alternating: noise hits every kind
            timings, _ = run_workload(server, op, 1, ops)
            for name, values in timings.items():
                results[server.kind][f"{name} p50"] = pct(values, 0.5)
    for server in servers:
        timings, seconds = run_workload(server, by_name["op_ddb_put"], 8, ops // 4)
        results[server.kind]["PutItem ops/s, 8 clients"] = (
            len(timings["DynamoDB PutItem"]) / seconds
        )
        results[server.kind]["idle RSS MB"] = rss_mb(server)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000, help="items in the large table")
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--ops", type=int, default=300, help="calls per single-call measure")
    parser.add_argument("--overwrites", type=int, default=20_000)
    parser.add_argument("--starts", type=int, default=9, help="cold starts of each server")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="motostack-scale-"))
    results: dict[str, Any] = {"items": args.items, "machine": f"{os.cpu_count()} cores"}

    print(f"1/4 cold start: process start to first answer ({args.starts} each)", flush=True)

    def fresh(name: str) -> list[Server]:
        return [
            Server("plain", work / f"plain{name}"),
            Server("durable", work / f"durable{name}"),
            MiniStack(work / f"ministack{name}"),
        ]

    results["cold_start"] = cold_starts(lambda n: fresh(f"-cold-{n}"), args.starts)
    results["cold_starts"] = args.starts
    servers = fresh("")
    for server in servers:
        server.start()
        create_resources(server)

    print("2/4 single calls and eight writers, side by side", flush=True)
    results["peers"] = peer_section(servers, args.ops)

    print(f"3/4 TransactWriteItems with 100 vs {args.items:,} items stored", flush=True)
    results["transactions"] = transaction_section(servers, 100, args.items, args.transactions)
    for server in servers:
        server.kill()

    print("4/4 restart after kill -9 as the journal grows", flush=True)
    steps = sorted({min(args.items, s) for s in (10_000, args.items // 2, args.items)})
    results["restarts"] = restart_section(work, steps, args.overwrites)
    durability = {}
    for server in (Server("durable", work / "crash-durable"), MiniStack(work / "crash-ministack")):
        server.start()
        create_resources(server)
        durability[server.kind] = crash_keeps(server, 100)
        server.kill()
    results["kill9_kept_of_100"] = durability

    out = ROOT / "bench" / "results" / "scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
