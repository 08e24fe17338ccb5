"""Concurrent writers, kill -9 at random moments, restart: every acknowledged write is there.

The compaction threshold is tiny here, so some kills land while a background
snapshot is being written, and recoveries mix snapshots with journal tails.
"""

import random
import threading
import time
from pathlib import Path
from typing import Any

from durable_harness import DurableServer

CYCLES = 20
TABLE = "ledger"
BUCKET = "uploads"


class Writer(threading.Thread):
    """Writes until the server dies; remembers what was acknowledged."""

    def __init__(self, server: DurableServer, name: str, write: Any) -> None:
        super().__init__(daemon=True)
        self.server, self.name, self.write = server, name, write
        self.acked: list[str] = []

    def run(self) -> None:
        for n in range(100_000):
            key = f"{self.name}-{len(self.acked)}-{n}-{random.random():.6f}"
            try:
                self.write(key)
            except Exception:  # the server was killed: stop, nothing more was acknowledged
                return
            self.acked.append(key)


def _setup(server: DurableServer) -> str:
    server.client("dynamodb").create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
    )
    server.client("s3").create_bucket(Bucket=BUCKET)
    queue: str = server.client("sqs").create_queue(QueueName="events")["QueueUrl"]
    return queue


def _writers(server: DurableServer, queue: str) -> list[Writer]:
    db, s3, sqs = server.client("dynamodb"), server.client("s3"), server.client("sqs")
    return [
        Writer(server, "ddb-a", lambda k: db.put_item(TableName=TABLE, Item={"k": {"S": k}})),
        Writer(server, "ddb-b", lambda k: db.put_item(TableName=TABLE, Item={"k": {"S": k}})),
        Writer(server, "s3", lambda k: s3.put_object(Bucket=BUCKET, Key=k, Body=k.encode())),
        Writer(server, "sqs", lambda k: sqs.send_message(QueueUrl=queue, MessageBody=k)),
    ]


def _stored(server: DurableServer, queue: str) -> tuple[set[str], set[str], int]:
    db, s3, sqs = server.client("dynamodb"), server.client("s3"), server.client("sqs")
    items = set()
    for page in db.get_paginator("scan").paginate(TableName=TABLE):
        items |= {item["k"]["S"] for item in page["Items"]}
    objects = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        objects |= {entry["Key"] for entry in page.get("Contents", [])}
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    return items, objects, int(attributes["ApproximateNumberOfMessages"])


def test_acknowledged_writes_survive_repeated_kill_9(tmp_path: Path) -> None:
    server = DurableServer(
        tmp_path / "data",
        DURABLE_MOTO_COMPACT_RECORDS="150",
        DURABLE_MOTO_REPLAY_BUDGET_SECONDS="0.2",  # snapshots however busy the machine
    )
    server.start()
    rng = random.Random(20261126)
    acked: dict[str, list[str]] = {"ddb": [], "s3": [], "sqs": []}
    try:
        queue = _setup(server)
        for _ in range(CYCLES):
            writers = _writers(server, queue)
            for writer in writers:
                writer.start()
            time.sleep(rng.uniform(0.1, 0.8))
            server.kill()
            for writer in writers:
                writer.join(timeout=30)
                acked[writer.name.split("-")[0]] += writer.acked
            server.start()
            items, objects, messages = _stored(server, queue)
            assert set(acked["ddb"]) <= items, "an acknowledged PutItem was lost"
            assert set(acked["s3"]) <= objects, "an acknowledged PutObject was lost"
            assert messages >= len(acked["sqs"]), "an acknowledged SendMessage was lost"
        status = server.status()
        assert status["last_snapshot"] is not None, "no compaction ran during the loop"
        assert sum(len(keys) for keys in acked.values()) > 200
    finally:
        server.kill()
