"""The shared DynamoDB helpers: what a client can forge, and what survives a round trip."""

import pytest

from services.common.dynamodb import decode_cursor, encode_cursor, from_item, to_item
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
