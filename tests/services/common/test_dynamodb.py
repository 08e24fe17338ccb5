"""The shared DynamoDB helpers: what a client can forge, and what survives a round trip."""

import pytest

from services.common.dynamodb import (
    decode_cursor,
    encode_cursor,
    from_item,
    refuse_unstorable,
    to_item,
)
from services.common.errors import InvalidField

KEY = {"pk", "entity", "created"}


def test_cursor_round_trip() -> None:
    key = {"pk": {"S": "product#1"}, "entity": {"S": "product"}, "created": {"S": "t#1"}}
    assert decode_cursor(encode_cursor(key), KEY) == key


@pytest.mark.parametrize("cursor", ["!!!", "e30", encode_cursor({"pk": {"S": "x"}})])
def test_forged_cursors_are_rejected_naming_the_field(cursor: str) -> None:
    with pytest.raises(InvalidField) as error:
        decode_cursor(cursor, KEY)
    assert error.value.extra["errors"] == [
        {"field": "cursor", "reason": "is not a cursor this API issued"}
    ]


def test_items_round_trip_with_integers_and_nested_lists() -> None:
    data = {"pk": "order#1", "lines": [{"sku": "MUG-1", "quantity": 2}], "version": 3}
    assert from_item(to_item(data | {"fulfilled_at": None})) == data


@pytest.mark.parametrize("number", [4.5, 0.1, -2.75, 1e-7, 123456789.123, 10**30, 7, 0, 2.0, 1 / 3])
def test_numbers_come_back_exactly_as_stored(number: float) -> None:
    data = {"n": number, "nested": {"values": [number, 1]}}
    back = from_item(to_item(data))
    assert back == data
    assert type(back["n"]) is type(number) or float(number).is_integer()
    assert repr(back["n"]) == repr(number) or float(number).is_integer()


@pytest.mark.parametrize(
    "number", [2e-188, 3.7e-140, -4.2e160, 1e126, float("nan"), float("inf"), int("1" * 40)]
)
def test_numbers_dynamodb_cannot_store_are_refused_before_the_write(number: float) -> None:
    with pytest.raises(ValueError, match="DynamoDB cannot store this number"):
        refuse_unstorable(number)


@pytest.mark.parametrize("number", [0, 1.5e50, 9.9e125, 1e-130, -2.5e-100, 12345678901234567890])
def test_numbers_at_the_edges_are_stored_and_read_back_the_same(number: float) -> None:
    assert refuse_unstorable(number) == number
    back = from_item(to_item({"n": number}))["n"]
    assert back == number
    assert type(back) is type(number)  # 1.5e50 is no 51-digit int, which is unstorable
