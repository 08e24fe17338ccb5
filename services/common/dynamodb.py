"""DynamoDB helpers the stores share: item (de)serialization, cursors, cancellations.

Stores use the low-level client (one per process, thread-safe) rather than the
resource API, so these few conversions live here once.
"""

import base64
import binascii
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from services.common.errors import InvalidField

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_TOO_LARGE = Decimal("1E126")
_SMALLEST = Decimal("1E-130")
_deserializer = TypeDeserializer()


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON-able values to a DynamoDB item (``None`` values are left out).

    Floats are stored as the decimal of their shortest ``repr`` (boto3 refuses
    floats outright), which :func:`from_item` turns back into the same float."""
    return {
        name: _serializer.serialize(_storable(value))
        for name, value in data.items()
        if value is not None
    }


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item to plain values; every number comes back as it went in: a whole
    number as ``int``, any other as ``float`` (so a stored 4.5 is 4.5, not 4)."""
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def refuse_unstorable(value: Any) -> Any:
    """A value DynamoDB can store exactly, or ``ValueError`` (a 422) saying why not.

    DynamoDB numbers have 38 significant digits and magnitudes from 1E-130 to under
    1E126, and no NaN or infinity; boto3 refuses the rest only when the item is
    written, which would make hostile input a 500. Its own serializer is the check,
    so the rule cannot drift from what is stored."""
    stored = _storable(value)
    try:
        _serializer.serialize(stored)
        # boto3 lets 1E126 and 1E-140 through; DynamoDB itself refuses them.
        magnitude = abs(Decimal(stored)) if isinstance(stored, int | Decimal) else None
        refused = magnitude is not None and not (
            magnitude == 0 or _SMALLEST <= magnitude < _TOO_LARGE
        )
    except (TypeError, ArithmeticError):
        refused = True
    if refused:
        raise ValueError(
            "DynamoDB cannot store this number: at most 38 significant digits, "
            "a magnitude from 1E-130 to under 1E126, no NaN or infinity"
        )
    return value


def _storable(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        # A whole number of up to 38 digits (all DynamoDB keeps) is an int; a larger
        # one came in as a float, such as 1.5e50, and goes back out as one.
        whole = value == value.to_integral_value() and value.adjusted() < 38
        return int(value) if whole else float(value)
    return value


def encode_cursor(key: dict[str, Any]) -> str:
    """An opaque cursor: the index key (string attributes) of the last item a page returned."""
    plain = {name: value["S"] for name, value in key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, key_names: set[str]) -> dict[str, Any]:
    """The key back from a cursor; anything this API did not issue is a 422 on ``cursor``."""
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidField("cursor", "is not a cursor this API issued") from None
    if not (
        isinstance(plain, dict)
        and set(plain) == key_names
        and all(isinstance(value, str) for value in plain.values())
    ):
        raise InvalidField("cursor", "is not a cursor this API issued")
    return {name: {"S": value} for name, value in plain.items()}


def query_page(
    dynamodb: "DynamoDBClient",
    request: dict[str, Any],
    *,
    key_names: set[str],
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a Query and the cursor of the next (None at the end).

    Asks for one item more than the page holds, so the last page is known to be
    the last without a second, empty request.
    """
    request = request | {"Limit": limit + 1}
    if cursor:
        request["ExclusiveStartKey"] = decode_cursor(cursor, key_names)
    items = dynamodb.query(**request)["Items"]
    page = items[:limit]
    if len(items) <= limit:
        return page, None
    return page, encode_cursor({name: page[-1][name] for name in key_names})


def cancellation_codes(error: ClientError) -> list[str]:
    """Per-action outcome of a cancelled transaction, in request order ("None" = passed)."""
    reasons = error.response.get("CancellationReasons") or []
    return [reason.get("Code", "None") for reason in reasons]


def is_cancelled_transaction(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "TransactionCanceledException")
