"""durable Moto against plain Moto, side by side in one run: ``make bench-moto``.

Same machine, same client code, same workload, servers started from the same
virtualenv; the two kinds alternate round by round so that noise hits both.
Writes ``moto/BENCHMARKS.md`` (tables, targets) and PNG plots next to it.
Timings are reported, never asserted: shared machines are noisy.

``--quick`` measures only what durability must not cost (cold start, PutItem and
S3 PutObject 4 KB with 1 and 8 clients, writes during a background snapshot),
prints the ratios and saves them to ``bench/results/moto-quick.json``.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from durable_moto import runfiles

ROOT = Path(__file__).resolve().parent.parent
BODY_10KB = os.urandom(10 * 1024)
BODY_4KB = os.urandom(4 * 1024)
Timings = dict[str, list[float]]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """One server process: ``plain`` is Moto's own moto_server, ``durable`` is ours."""

    def __init__(self, kind: str, data_dir: Path, **env: str) -> None:
        self.kind, self.data_dir, self.env = kind, data_dir, env
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    #: A GET that answers 200 once the server serves requests.
    ready_path = "/moto-api/"

    def command(self) -> list[str]:
        if self.kind == "plain":
            moto_server = str(Path(sys.executable).with_name("moto_server"))
            return [moto_server, "-H", "127.0.0.1", "-p", str(self.port)]
        return [
            sys.executable, "-m", "durable_moto", "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--data-dir", str(self.data_dir),
        ]  # fmt: skip

    def start(self) -> float:
        """Start and return seconds until it answers."""
        command = self.command()
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, env=os.environ | self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while time.perf_counter() - started < 300:
            try:
                if httpx.get(f"{self.url}{self.ready_path}", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)  # also while recovery answers 503: polling must not steal its CPU
        raise RuntimeError(f"{self.kind} server on {self.data_dir} never became ready")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=300)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def peak_rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]  # a name known at run time
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(retries={"mode": "standard"}, max_pool_connections=16),
        )


def create_resources(server: Server) -> None:
    server.client("dynamodb").create_table(
        TableName="bench",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
    )
    server.client("sqs").create_queue(QueueName="bench")
    s3 = server.client("s3")
    s3.create_bucket(Bucket="bench")
    for n in range(100):
        s3.put_object(Bucket="bench", Key=f"seed-{n}", Body=BODY_10KB)


def load_items(server: Server, count: int, table: str = "bench", first: int = 0) -> None:
    """``count`` items of about 100 bytes (keys from ``first``), 25 per BatchWriteItem."""
    db = server.client("dynamodb")
    for start in range(first, first + count, 25):
        db.batch_write_item(
            RequestItems={
                table: [
                    {
                        "PutRequest": {
                            "Item": {
                                "k": {"S": f"item-{n:07d}"},
                                "name": {"S": f"product {n}"},
                                "price": {"N": str(n % 1000)},
                                "tags": {"SS": ["demo", f"t{n % 7}"]},
                            }
                        }
                    }
                    for n in range(start, min(start + 25, first + count))
                ]
            }
        )


Op = Callable[[dict[str, Any], int, int], dict[str, float]]


def _timed(name: str, call: Callable[[], object]) -> dict[str, float]:
    started = time.perf_counter()
    call()
    return {name: time.perf_counter() - started}


def op_ddb_put(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    item = {"k": {"S": f"w{worker}-{n}"}, "v": {"S": "x" * 100}}
    return _timed("DynamoDB PutItem", lambda: c["dynamodb"].put_item(TableName="bench", Item=item))


def op_ddb_get(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    key = {"k": {"S": f"w{worker}-{n % 50}"}}
    return _timed("DynamoDB GetItem", lambda: c["dynamodb"].get_item(TableName="bench", Key=key))


def op_sqs_send(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    return _timed(
        "SQS SendMessage",
        lambda: c["sqs"].send_message(QueueUrl=c["queue"], MessageBody=f"{worker}-{n}"),
    )


def op_sqs_receive_delete(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    started = time.perf_counter()
    messages = (
        c["sqs"].receive_message(QueueUrl=c["queue"], MaxNumberOfMessages=1).get("Messages", [])
    )
    timings = {"SQS ReceiveMessage": time.perf_counter() - started}
    if messages:
        handle = messages[0]["ReceiptHandle"]
        timings |= _timed(
            "SQS DeleteMessage",
            lambda: c["sqs"].delete_message(QueueUrl=c["queue"], ReceiptHandle=handle),
        )
    return timings


def op_s3_put(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    return _timed(
        "S3 PutObject 10 KB",
        lambda: c["s3"].put_object(Bucket="bench", Key=f"w{worker}-{n}", Body=BODY_10KB),
    )


def op_s3_put_4kb(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    return _timed(
        "S3 PutObject 4 KB",
        lambda: c["s3"].put_object(Bucket="bench", Key=f"s-{worker}-{n}", Body=BODY_4KB),
    )


def op_s3_get(c: dict[str, Any], worker: int, n: int) -> dict[str, float]:
    return _timed(
        "S3 GetObject 10 KB",
        lambda: c["s3"].get_object(Bucket="bench", Key=f"seed-{n % 100}")["Body"].read(),
    )


OPS: list[Op] = [
    op_ddb_put,
    op_ddb_get,
    op_sqs_send,
    op_sqs_receive_delete,
    op_s3_put_4kb,
    op_s3_put,
    op_s3_get,
]
QUICK_OPS: list[Op] = [op_ddb_put, op_s3_put_4kb]
"""``--quick``: the operations the durability targets name, nothing else."""


def run_workload(server: Server, op: Op, workers: int, per_worker: int) -> tuple[Timings, float]:
    timings: Timings = defaultdict(list)
    lock = threading.Lock()
    clients = []
    for _ in range(workers):
        c = {name: server.client(name) for name in ("dynamodb", "sqs", "s3")}
        c["queue"] = c["sqs"].get_queue_url(QueueName="bench")["QueueUrl"]
        clients.append(c)

    def work(worker: int) -> None:
        local: Timings = defaultdict(list)
        for n in range(per_worker):
            for name, seconds in op(clients[worker], worker, n).items():
                local[name].append(seconds)
        with lock:
            for name, values in local.items():
                timings[name] += values

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def latency_section(
    plain: Server, durable: Server, rounds: int, ops_per_run: int, ops: list[Op]
) -> list[dict[str, Any]]:
    rows = []
    for workers in (1, 8):
        per_worker = max(ops_per_run // workers, 20)
        for op in ops:
            collected: dict[str, Timings] = {
                "plain": defaultdict(list),
                "durable": defaultdict(list),
            }
            elapsed = {"plain": 0.0, "durable": 0.0}
            for server in (plain, durable):  # warm-up: lazy imports, connection pools
                run_workload(server, op, workers, 5)
            for _ in range(rounds):
                for server in (plain, durable):
                    timings, seconds = run_workload(server, op, workers, per_worker)
                    for name, values in timings.items():
                        collected[server.kind][name] += values
                    elapsed[server.kind] += seconds
            for name in collected["plain"]:
                p, d = collected["plain"][name], collected["durable"][name]
                plain_p50, durable_p50 = pct(p, 0.5), pct(d, 0.5)
                plain_ops, durable_ops = len(p) / elapsed["plain"], len(d) / elapsed["durable"]
                rows.append(
                    {
                        "operation": name,
                        "clients": workers,
                        "plain_p50": plain_p50,
                        "durable_p50": durable_p50,
                        "plain_p99": pct(p, 0.99),
                        "durable_p99": pct(d, 0.99),
                        "plain_ops": plain_ops,
                        "durable_ops": durable_ops,
                    }
                )
                ratio, ops_ratio = durable_p50 / plain_p50, durable_ops / plain_ops
                print(
                    f"  {name:22} x{workers}: p50 {plain_p50:.2f} / {durable_p50:.2f} ms "
                    f"(durable/plain {ratio:.2f}), throughput durable/plain {ops_ratio:.2f}"
                )
    return rows


def cold_starts(servers: Callable[[int], list[Server]], rounds: int) -> dict[str, float]:
    """Process start to first answer, median of ``rounds`` starts of each kind.

    ``servers(n)`` gives round ``n``'s fresh servers, started one at a time, each
    round in another order: on a shared machine one start alone says little, and
    neither kind should always go first.
    """
    seconds: dict[str, list[float]] = defaultdict(list)
    for n in range(rounds):
        fresh = servers(n)
        for server in fresh[n % len(fresh) :] + fresh[: n % len(fresh)]:
            seconds[server.kind].append(server.start())
            server.kill()
    return {kind: statistics.median(values) for kind, values in seconds.items()}


def quick(args: argparse.Namespace, work: Path) -> None:
    """The durability targets only, small sizes: printed and saved, no report rewritten."""
    results: dict[str, Any] = {"machine": f"{os.cpu_count()} cores", "large": args.large}
    print("cold start, plain vs durable", flush=True)
    results["cold_start"] = cold_starts(
        lambda n: [Server(kind, work / f"cold-{kind}-{n}") for kind in ("plain", "durable")],
        args.rounds * 2,
    )
    cold = results["cold_start"]
    print(f"  {cold['plain']:.2f} / {cold['durable']:.2f} s", flush=True)
    print("latency and throughput, plain vs durable (fsync always)", flush=True)
    plain, durable = Server("plain", work / "plain"), Server("durable", work / "durable")
    for server in (plain, durable):
        server.start()
        create_resources(server)
    results["latency"] = latency_section(plain, durable, args.rounds, args.ops, QUICK_OPS)
    for server in (plain, durable):
        server.kill()
    print(f"p99 write latency while a compaction of {args.large} items runs", flush=True)
    large = Server("durable", work / "large")
    large.start()
    create_resources(large)
    load_items(large, args.large)
    results["compaction"] = compaction_section(large, {})
    large.kill()
    compaction = results["compaction"]
    print(f"  idle p99 {compaction['quiet_p99']:.2f} ms, during {compaction['during_p99']:.2f} ms")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "moto-quick.json").write_text(json.dumps(results, indent=1))


def compaction_section(large: Server, results: dict[str, Any]) -> dict[str, float]:
    """Write latency while a snapshot is written in the background, against idle."""
    quiet = put_latencies(large, 500, "quiet")
    during: list[float] = []
    done = threading.Event()

    def compact() -> None:
        admin = {"Authorization": f"Bearer {runfiles.read_token(large.data_dir)}"}
        results["compaction_seconds"] = httpx.post(
            f"{large.url}/_durable/compact", headers=admin, timeout=600
        ).json()["snapshot"]["seconds_to_write"]
        done.set()

    threading.Thread(target=compact).start()
    n = 0
    while not done.is_set() or len(during) < 100:
        during += put_latencies(large, 1, f"busy-{n}")
        n += 1
    return {
        "quiet_p99": pct(quiet, 0.99),
        "during_p99": pct(during, 0.99),
        "during_n": len(during),
    }


def put_latencies(server: Server, count: int, prefix: str) -> list[float]:
    db = server.client("dynamodb")
    values = []
    for n in range(count):
        started = time.perf_counter()
        db.put_item(TableName="bench", Item={"k": {"S": f"{prefix}-{n}"}, "v": {"S": "x" * 100}})
        values.append(time.perf_counter() - started)
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--large", type=int, default=100_000, help="items in the large state")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ops", type=int, default=400, help="operations per run and kind")
    parser.add_argument(
        "--quick", action="store_true", help="only the durability targets; no report written"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="motostack-bench-"))
    if args.quick:
        quick(args, work)
        return
    results: dict[str, Any] = {"large": args.large, "machine": f"{os.cpu_count()} cores"}

    print("1/4 latency and throughput, plain vs durable (fsync always)", flush=True)
    plain, durable = Server("plain", work / "plain"), Server("durable", work / "durable")
    for server in (plain, durable):
        server.start()
        create_resources(server)
    results["latency"] = latency_section(plain, durable, args.rounds, args.ops, OPS)
    for server in (plain, durable):
        server.kill()

    print(f"2/4 state size: write latency with 1k vs {args.large} items, peak RSS", flush=True)
    small = Server("durable", work / "small")
    large = Server("durable", work / "large")
    large_plain = Server("plain", work / "large-plain")
    for server, count in ((small, 1000), (large, args.large), (large_plain, args.large)):
        server.start()
        create_resources(server)
        load_items(server, count)
    small_p50 = statistics.median(put_latencies(small, 400, "s")) * 1000
    large_p50 = statistics.median(put_latencies(large, 400, "l")) * 1000
    results["state_size"] = {"small_p50": small_p50, "large_p50": large_p50}
    results["rss"] = {"durable": large.peak_rss_mb(), "plain": large_plain.peak_rss_mb()}
    large_plain.kill()
    small.kill()

    print("3/4 p99 write latency while a compaction of the large state runs", flush=True)
    results["compaction"] = compaction_section(large, results)

    print("4/4 restart-to-ready as state grows", flush=True)
    restarts = []
    large.stop()
    # Two snapshot generations are kept; one is what the state costs.
    snapshot_bytes = max(p.stat().st_size for p in (work / "large").glob("snapshot-*.dms"))
    journal_bytes = sum(p.stat().st_size for p in (work / "large").glob("journal-*.log"))
    results["disk"] = {"snapshot_mb": snapshot_bytes / 1e6, "journal_mb": journal_bytes / 1e6}
    restarts.append(
        {"state": f"{args.large:,} DynamoDB items", "items": args.large, "clean": large.start()}
    )
    large.kill()
    for count in (1000, 10_000):
        server = Server("durable", work / f"items-{count}")
        server.start()
        create_resources(server)
        load_items(server, count)
        server.kill()
        crash = server.start()  # journal replay only: no snapshot yet
        server.stop()
        clean = server.start()  # the snapshot written on stop
        server.kill()
        restarts.append(
            {"state": f"{count:,} DynamoDB items", "items": count, "clean": clean, "kill9": crash}
        )
    objects = Server("durable", work / "objects")
    objects.start()
    create_resources(objects)
    s3 = objects.client("s3")
    for i in range(1000):
        s3.put_object(Bucket="bench", Key=f"o-{i}", Body=BODY_10KB)
    objects.stop()
    restarts.append({"state": "1,000 S3 objects (10 KB)", "items": 1000, "clean": objects.start()})
    objects.kill()
    messages = Server("durable", work / "messages")
    messages.start()
    create_resources(messages)
    sqs = messages.client("sqs")
    queue = sqs.get_queue_url(QueueName="bench")["QueueUrl"]
    # 1,000, not 10,000: Moto's own SendMessageBatch slows down with queue depth
    # (4,000 messages took 157 s in-process, plain Moto), see BENCHMARKS.md.
    for i in range(0, 1000, 10):
        sqs.send_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(j), "MessageBody": f"m{i + j}"} for j in range(10)]
        )
    messages.stop()
    restarts.append({"state": "1,000 SQS messages", "items": 1000, "clean": messages.start()})
    messages.kill()
    results["restarts"] = restarts

    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "moto.json").write_text(json.dumps(results, indent=1))
    print(f"wrote {ROOT / 'bench' / 'results' / 'moto.json'}")


if __name__ == "__main__":
    main()
