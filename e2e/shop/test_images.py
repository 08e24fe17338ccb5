"""Product images go straight to and from S3 through presigned URLs."""

import os
from typing import Any

import httpx


def test_upload_then_download_returns_the_same_bytes(
    api: httpx.Client, new_product: dict[str, Any]
) -> None:
    image = os.urandom(64 * 1024)
    ticket = api.post(
        f"/catalog/products/{new_product['id']}/image", json={"content_type": "image/jpeg"}
    )
    assert ticket.status_code == 201, ticket.text
    upload = ticket.json()
    assert upload["method"] == "PUT"

    put = httpx.put(upload["upload_url"], content=image, headers=upload["headers"], timeout=30)
    assert put.status_code == 200, put.text

    redirect = api.get(f"/catalog/products/{new_product['id']}/image")
    assert redirect.status_code == 307
    download = httpx.get(redirect.headers["location"], timeout=30)
    assert download.status_code == 200
    assert download.content == image
    assert download.headers["content-type"] == "image/jpeg"


def test_image_before_upload_is_404(api: httpx.Client, new_product: dict[str, Any]) -> None:
    response = api.get(f"/catalog/products/{new_product['id']}/image")
    assert response.status_code == 404
    assert "no image" in response.json()["detail"]
