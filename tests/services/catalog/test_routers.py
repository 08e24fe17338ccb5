"""The catalog's HTTP layer on in-process Moto: status codes, problem+json, redirects."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.catalog.main import app
from tests.conftest import internal_headers


@pytest.fixture
def client(provisioned: dict[str, Any]) -> Iterator[TestClient]:
    with TestClient(app, headers=internal_headers(provisioned["secretsmanager"])) as test_client:
        yield test_client


def test_create_returns_201_with_location(client: TestClient) -> None:
    response = client.post("/products", json={"sku": "MUG-1", "name": "Mug", "price_cents": 5})
    assert response.status_code == 201
    assert response.headers["location"] == f"/products/{response.json()['id']}"


def test_validation_error_names_each_field(client: TestClient) -> None:
    response = client.post("/products", json={"sku": "x", "price_cents": -1})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = sorted(error["field"] for error in response.json()["errors"])
    assert fields == ["name", "price_cents", "sku"]


def test_a_name_over_the_bound_as_sent_is_refused_even_if_trimming_would_fit_it(
    client: TestClient,
) -> None:
    """Found by fuzzing: a non-breaking space and 200 characters were accepted (trimmed to
    200) although the document's maxLength of 200 refuses them."""
    product = client.post("/products", json={"sku": "MUG-1", "name": "Mug", "price_cents": 5})
    too_long = "\u00a0" + "*" * 200
    for response in (
        client.post("/products", json={"sku": "MUG-2", "name": too_long, "price_cents": 5}),
        client.patch(f"/products/{product.json()['id']}", json={"name": too_long}),
    ):
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/products/{product.json()['id']}").json()["name"] == "Mug"
    trimmed = client.post("/products", json={"sku": "MUG-3", "name": " Cup ", "price_cents": 5})
    assert trimmed.json()["name"] == "Cup"


def test_image_redirect_points_at_the_public_endpoint(
    client: TestClient, provisioned: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    product = client.post("/products", json={"sku": "MUG-1", "name": "Mug", "price_cents": 5})
    product_id = product.json()["id"]
    assert client.get(f"/products/{product_id}/image").status_code == 404
    provisioned["s3"].put_object(
        Bucket="motostack-local-catalog-images", Key=f"products/{product_id}/image", Body=b"png"
    )
    response = client.get(f"/products/{product_id}/image", follow_redirects=False)
    assert response.status_code == 307
    assert f"products/{product_id}/image" in response.headers["location"]
    assert "X-Amz-Signature=" in response.headers["location"]


def test_readiness_reports_each_resource(client: TestClient, provisioned: dict[str, Any]) -> None:
    assert client.get("/readyz").json()["checks"] == {"products_table": "ok", "images_bucket": "ok"}
    provisioned["s3"].delete_bucket(Bucket="motostack-local-catalog-images")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["detail"] == "not ready: images_bucket"
