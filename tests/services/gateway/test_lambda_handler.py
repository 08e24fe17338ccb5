"""The gateway's Lambda entry point with realistic HTTP API events (in-process Moto)."""

import json
from typing import Any

from services.gateway.lambda_handler import handler
from tests.lambda_events import CONTEXT, http_api_event


def test_the_index_and_the_key_check_work_behind_api_gateway(
    stack_clients: dict[str, Any], mangum_loop: None, probe_route: str
) -> None:
    index = handler(http_api_event("GET", "/api"), CONTEXT)
    assert index["statusCode"] == 200
    assert f"/api/{probe_route}" in json.loads(index["body"])["routes"]
    refused = handler(http_api_event("POST", f"/api/{probe_route}", body={}), CONTEXT)
    assert refused["statusCode"] == 401
