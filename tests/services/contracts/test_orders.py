"""OrderPlaced as its subscribers read it: from the contract, never the orders package."""

import json

import pytest
from pydantic import ValidationError

from services.contracts.__main__ import SCHEMAS_DIR
from services.contracts.orders import OrderPlaced

EVENT = {
    "event_id": "e-1",
    "occurred_at": "2026-01-01T00:00:00Z",
    "order": {
        "id": "o-1",
        "customer": "ada@example.com",
        "lines": [{"sku": "MUG-001", "quantity": 2}],
        "placed_at": "2026-01-01T00:00:00Z",
    },
}


def test_an_event_parses_and_the_schema_requires_what_the_model_does() -> None:
    event = OrderPlaced.model_validate(EVENT)
    assert (event.type, event.schema_version) == ("OrderPlaced", 1)
    schema = json.loads((SCHEMAS_DIR / "OrderPlaced.v1.json").read_text())
    assert set(schema["required"]) == {"event_id", "occurred_at", "order"}


def test_an_unknown_schema_version_is_refused() -> None:
    with pytest.raises(ValidationError, match="schema_version"):
        OrderPlaced.model_validate(EVENT | {"schema_version": 2})
