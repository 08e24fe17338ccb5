"""The catalog's Lambda entry point with realistic HTTP API events (in-process Moto)."""

import json
from typing import Any

from services.catalog.lambda_handler import handler as catalog_handler
from tests.conftest import internal_headers
from tests.lambda_events import CONTEXT, http_api_event


def test_catalog_serves_http_api_events(stack_clients: dict[str, Any], mangum_loop: None) -> None:
    created = catalog_handler(
        http_api_event(
            "POST",
            "/products",
            body={"sku": "MUG-1", "name": "Mug", "price_cents": 5},
            headers=internal_headers(stack_clients["secretsmanager"]),
        ),
        CONTEXT,
    )
    assert created["statusCode"] == 201, created["body"]
    listed = catalog_handler(http_api_event("GET", "/products", query="limit=5"), CONTEXT)
    assert listed["statusCode"] == 200
    assert [p["sku"] for p in json.loads(listed["body"])["items"]] == ["MUG-1"]
    missing = catalog_handler(http_api_event("GET", "/products/nope"), CONTEXT)
    assert missing["statusCode"] == 404
    assert missing["headers"]["content-type"] == "application/problem+json"
