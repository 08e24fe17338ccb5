"""HTTP's conventions, the same on every route: bad JSON, HEAD, OPTIONS, problem titles."""

import httpx
import pytest

from e2e.shop.test_errors import assert_problem


def test_bad_json_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/catalog/products", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


@pytest.mark.parametrize(
    "path", ["/catalog/products", "/inventory/MUG-001", "/fulfillment/dead-letters"]
)
def test_head_answers_like_get_without_a_body(anonymous_api: httpx.Client, path: str) -> None:
    response = anonymous_api.head(path)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(
    ("path", "methods", "unserved"),
    [
        ("/catalog/products", {"GET", "HEAD", "POST", "OPTIONS"}, "PUT"),
        ("/catalog/products/any-id", {"GET", "HEAD", "PATCH", "DELETE", "OPTIONS"}, "POST"),
        ("/inventory/MUG-001", {"GET", "HEAD", "PUT", "OPTIONS"}, "DELETE"),
    ],
)
def test_options_and_405_list_every_method(
    api: httpx.Client, anonymous_api: httpx.Client, path: str, methods: set[str], unserved: str
) -> None:
    options = anonymous_api.options(path)
    assert options.status_code == 204
    assert set(options.headers["allow"].split(", ")) == methods
    refused = api.request(unserved, path, json={})
    assert_problem(refused, 405)
    assert set(refused.headers["allow"].split(", ")) == methods


def test_problem_titles_are_the_same_for_the_same_status(
    api: httpx.Client, anonymous_api: httpx.Client
) -> None:
    """401/403 come from the gateway, 404/409/422 from the services or the gateway's router."""
    answers = [
        anonymous_api.post("/catalog/products", json={}),
        api.post("/catalog/products", json={}, headers={"X-API-Key": "wrong"}),
        api.get("/catalog/products/none"),
        api.get("/nonexistent"),
        api.post("/catalog/products", json={"sku": "x"}),
        api.get("/catalog/products", params={"cursor": "forged"}),
        api.put("/inventory/bad sku", json={"available": 1}),
    ]
    titles: dict[int, set[str]] = {}
    for answer in answers:
        titles.setdefault(answer.status_code, set()).add(answer.json()["title"])
    assert titles == {
        401: {"Unauthorized"},
        403: {"Forbidden"},
        404: {"Not Found"},
        422: {"Unprocessable Content"},
    }
