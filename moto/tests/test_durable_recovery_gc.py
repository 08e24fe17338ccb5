"""After recovery, the cyclic GC has no pass over the recovered state left to make.

Recovery runs with the GC paused, so every object it rebuilt was counted into the
youngest generation: the first collection after it visited them all (0.9 s at
100,000 DynamoDB items, before the first answer) and freed none. Counted here, in
a process of its own (freezing is process-wide): the youngest generation's backlog
and the objects frozen out of the collector's sight.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ITEMS = 2_000

WRITE = """
import sys
from in_process import call_json, open_app
app, store = open_app(__import__("pathlib").Path(sys.argv[1]), "gc-test")
def db(action, payload):
    return call_json(app, "dynamodb", "DynamoDB_20120810." + action, payload, version="1.0")
db("CreateTable", {"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]})
for first in range(0, int(sys.argv[2]), 25):
    db("BatchWriteItem", {"RequestItems": {"t": [
        {"PutRequest": {"Item": {"k": {"S": f"item-{n}"}, "v": {"S": "x" * 20}}}}
        for n in range(first, first + 25)]}})
store.close()
"""

RECOVER = """
import gc, json, sys
from in_process import open_app
open_app(__import__("pathlib").Path(sys.argv[1]), "gc-test")
print(json.dumps({"youngest": gc.get_count()[0], "frozen": gc.get_freeze_count()}))
"""


def _run(script: str, *args: str) -> str:
    here = Path(__file__).parent
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=here,
        env=os.environ | {"PYTHONPATH": str(here)},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout


def test_the_recovered_state_is_out_of_the_collectors_sight(tmp_path: Path) -> None:
    _run(WRITE, str(tmp_path), str(ITEMS))
    counts = json.loads(_run(RECOVER, str(tmp_path)).splitlines()[-1])
    assert counts["frozen"] > ITEMS * 3  # each item: its object, its dicts, its values
    assert counts["youngest"] < 700  # below the first threshold: no pass pending
