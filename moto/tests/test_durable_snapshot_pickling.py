"""Snapshots are pickled by the C pickler, without a Python call per object, where it can.

cloudpickle, and the reducers durable Moto adds, hook every object pickled
from Python: 100,000 DynamoDB items took 10 s to snapshot, against under 3 s
for the C pickler. The work is counted here, not timed: the Python hook's calls.
"""

import pickle
from pathlib import Path
from typing import Any

import moto
import pytest
from in_process import call_json, open_app
from moto.dynamodb.models.dynamo_type import LimitedSizeDict

from durable_moto import snapshot
from durable_moto.app import DurableApp

VERSION = "pickling-test"
ITEMS = 40


def _dynamodb(app: DurableApp, action: str, payload: dict[str, Any]) -> dict[str, Any]:
    return call_json(app, "dynamodb", f"DynamoDB_20120810.{action}", payload, version="1.0")


def _items(app: DurableApp) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _dynamodb(app, "Scan", {"TableName": "t"})["Items"]
    return sorted(items, key=lambda item: str(item["k"]))


def _hook_calls(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """The types cloudpickle's per-object hook is called for, from now on."""
    calls: list[type] = []
    hook = snapshot._Pickler.reducer_override

    def counted(pickler: Any, obj: Any) -> Any:
        calls.append(type(obj))
        return hook(pickler, obj)

    monkeypatch.setattr(snapshot._Pickler, "reducer_override", counted)
    return calls


def _size_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys set through DynamoDB's item-size check, from now on."""
    checks: list[str] = []
    check = LimitedSizeDict.__setitem__

    def counted(attributes: LimitedSizeDict, key: str, value: Any) -> None:
        checks.append(key)
        check(attributes, key, value)

    monkeypatch.setattr(LimitedSizeDict, "__setitem__", counted)
    return checks


def _round_trip(state: bytes) -> None:
    _, services = snapshot.decode_state(state, moto.__version__)
    snapshot.install_state(services)


def test_a_table_is_snapshotted_with_no_python_call_per_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, store = open_app(tmp_path, VERSION)
    _dynamodb(
        app,
        "CreateTable",
        {
            "TableName": "t",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        },
    )
    for n in range(ITEMS):
        item = {"k": {"S": f"item-{n}"}, "n": {"N": str(n)}, "m": {"M": {"l": {"L": []}}}}
        _dynamodb(app, "PutItem", {"TableName": "t", "Item": item})
    before = _items(app)

    calls = _hook_calls(monkeypatch)
    state = snapshot.encode_state(1, moto.__version__)
    assert calls == []
    size_checks = _size_checks(monkeypatch)
    _round_trip(state)
    assert size_checks == []  # loaded raw, not one attribute at a time through the check
    assert _items(app) == before
    # Item attributes are a dict subclass that adds up the item's size on every set:
    # rebuilt raw, it still refuses an item past DynamoDB's 400 KB.
    too_big = {"k": {"S": "item-0"}, "v": {"S": "x" * 410_000}}
    with pytest.raises(AssertionError, match="Item size has exceeded"):
        _dynamodb(app, "PutItem", {"TableName": "t", "Item": too_big})
    store.close()


def test_state_only_cloudpickle_can_pickle_still_snapshots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, store = open_app(tmp_path, VERSION)
    # SSM keeps parameters in a defaultdict whose factory is a lambda.
    call_json(app, "ssm", "AmazonSSM.PutParameter", {"Name": "p", "Value": "v", "Type": "String"})

    calls = _hook_calls(monkeypatch)
    state = snapshot.encode_state(1, moto.__version__)
    assert calls, "nothing went the slow way: this test no longer covers it"
    _round_trip(state)
    got = call_json(app, "ssm", "AmazonSSM.GetParameter", {"Name": "p"})["Parameter"]
    assert got["Value"] == "v"
    store.close()


class _Format1Mapping:
    """How format 1 pickled item attributes: their items as a list of pairs."""

    def __reduce__(self) -> tuple[Any, ...]:
        reducers = snapshot.reducers()
        state = (None, [("k", "v")])
        return (
            reducers._new_mapping,
            (LimitedSizeDict, None),
            state,
            None,
            None,
            reducers._restore_mapping,
        )


def test_a_snapshot_of_format_1_still_loads() -> None:
    loaded = pickle.loads(pickle.dumps(_Format1Mapping()))
    assert type(loaded) is LimitedSizeDict
    assert dict(loaded) == {"k": "v"}
