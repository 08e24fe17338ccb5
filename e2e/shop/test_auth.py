"""Writes need an API key; reads do not."""

import httpx
import pytest

from e2e.shop.helpers import customer, stocked_sku


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), ({"X-API-Key": "not-a-key"}, 403)], ids=["none", "wrong"]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/orders"),
        ("PUT", "/inventory/MUG-001"),
        ("POST", "/catalog/products"),
        ("PATCH", "/catalog/products/any"),
        ("DELETE", "/catalog/products/any"),
    ],
)
def test_writes_without_a_valid_key_are_refused(
    anonymous_api: httpx.Client, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    response = anonymous_api.request(method, path, json={}, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert "X-API-Key" in response.json()["detail"]


def test_reads_need_no_key(api: httpx.Client, anonymous_api: httpx.Client) -> None:
    sku = stocked_sku(api, 3)
    assert anonymous_api.get("/catalog/products").status_code == 200
    assert anonymous_api.get(f"/inventory/{sku}").json() == {"sku": sku, "available": 3}
    assert anonymous_api.get("/orders", params={"customer": customer()}).status_code == 200
