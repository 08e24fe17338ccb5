"""DynamoDB: transactions roll back from an undo record, and copies of items are not tracked.

What was slow. ``DynamoDBBackend.transact_write_items`` (Moto 5.2.5) took a
``copy.deepcopy`` of every table named in the transaction, once per item of
the transaction, before running it, so that it could put the copies back if
the transaction was cancelled. A 3-item transaction on a table of 6,000 items
copied 18,000 items; its cost grew with the table, not with the transaction.
Worse, every copied ``Item`` (a ``BaseModel``) was appended to
``Item.instances_tracked`` by ``BaseModel.__new__``, so the copies were never
freed: memory grew by the size of the tables with every transaction.

What the patch does.

* ``transact_write_items`` keeps an undo record instead: before an operation
  first touches a key, it remembers the item stored under it (a copy only for
  ``Update``, the one operation that changes an item in place), whether the
  hash key had an entry at all (reads of tables with a range key create an
  empty one), and the length of the table's stream. A cancelled transaction
  puts exactly those items back, drops what it added, and cuts the stream
  records it appended. Everything else is the original code: the same checks
  in the same order, the same ``TransactionCanceledException`` with one
  cancellation reason per item, the same ``ConditionCheck`` semantics. Tables
  named by ARN are now rolled back too (the copies were made by name only).
* ``Item.__deepcopy__`` allocates its copy with ``object.__new__`` so copies
  (the old image ``update_item`` keeps for streams, undo records) are values,
  not tracked model instances. Items stored in tables are created normally
  and stay tracked.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table

_MISSING = object()


def _copy_item(self: Item, memo: dict[int, Any]) -> Item:
    """``Item.__deepcopy__`` as in Moto 5.2.5, without registering the copy as a model."""
    if id(self) in memo:  # pragma: no cover - item trees are acyclic
        return memo[id(self)]  # type: ignore[no-any-return]
    result: Item = object.__new__(type(self))
    memo[id(self)] = result
    result.hash_key = copy.deepcopy(self.hash_key, memo)
    result.range_key = copy.deepcopy(self.range_key, memo)
    attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(attrs)
    for key, value in self.attrs.items():
        dict.__setitem__(attrs, key, copy.deepcopy(value, memo))
    result.attrs = attrs
    return result


@dataclass
class UndoRecord:
    """What a transaction changed, enough to put it back exactly."""

    keys: dict[tuple[int, DynamoType, DynamoType | None], tuple[Table, object, bool]] = field(
        default_factory=dict
    )
    """(table, hash, range) -> (table, the item before or _MISSING, hash entry existed)."""
    streams: dict[int, tuple[Table, list[Any], int]] = field(default_factory=dict)
    """id(table) -> (table, its stream list, its length before)."""
    copies: int = 0
    """Items copied (Update only): the work a transaction does for its rollback."""

    def remember(self, table: Table, hash_key: DynamoType, range_key: DynamoType | None,
                 *, in_place: bool) -> None:  # fmt: skip
        slot = (id(table), hash_key, range_key)
        if slot in self.keys:
            return
        if table.has_range_key:
            existed = hash_key in table.items
            before = table.items[hash_key].get(range_key, _MISSING) if existed else _MISSING
        else:
            existed = True
            before = table.items.get(hash_key, _MISSING)
        if in_place and isinstance(before, Item):
            before = copy.deepcopy(before)
            self.copies += 1
        self.keys[slot] = (table, before, existed)
        shard = table.stream_shard
        if shard is not None and id(table) not in self.streams:
            self.streams[id(table)] = (table, shard.items, len(shard.items))

    def roll_back(self) -> None:
        for (_, hash_key, range_key), (table, before, existed) in self.keys.items():
            if not table.has_range_key:
                if before is _MISSING:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = before  # type: ignore[assignment]
            elif not existed:
                table.items.pop(hash_key, None)
            elif before is _MISSING:
                table.items[hash_key].pop(range_key, None)
            else:
                table.items[hash_key][range_key] = before
        for table, records, length in self.streams.values():
            del records[length:]
            assert table.stream_shard is not None
            table.stream_shard.items = records


last_undo: list[UndoRecord] = []
"""The most recent transaction's undo record (tests count its work)."""


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = UndoRecord()
    last_undo[:] = [undo]
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            check_unicity(table_name, key)

            # What get_item below checks first, in the same order, so the same errors.
            table = self.get_table(table_name)
            hash_key, range_key = self.get_keys_value(table, key)
            undo.remember(table, hash_key, range_key, in_place=op_type == "Update")

            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression,
                    expression_attribute_names,
                    expression_attribute_values,
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.roll_back()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:  # every other failure is a cancellation reason
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]

    if any(code is not None for code, _, _ in errors):
        undo.roll_back()
        raise TransactionCanceledException(errors)


def apply() -> None:
    patched: Callable[..., Any] = transact_write_items
    DynamoDBBackend.transact_write_items = patched  # type: ignore[method-assign]
    Item.__deepcopy__ = _copy_item  # type: ignore[method-assign]
