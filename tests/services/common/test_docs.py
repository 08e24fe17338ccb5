"""Every service's and the gateway's ``/docs`` work offline: only same-origin assets."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from e2e.pages import is_same_origin, page_assets
from services.catalog.main import app as catalog
from services.fulfillment.main import app as fulfillment
from services.gateway.main import app as gateway
from services.orders.main import app as orders

APPS = {"catalog": catalog, "orders": orders, "fulfillment": fulfillment, "gateway": gateway}


@pytest.mark.parametrize("app", APPS.values(), ids=APPS.keys())
def test_docs_page_loads_only_same_origin_assets(app: FastAPI) -> None:
    client = TestClient(app)  # no lifespan: the page and its assets need no AWS
    page = client.get("/docs")
    assert page.status_code == 200
    assets = page_assets(page.text)
    assert {"/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"} <= set(assets)
    assert [url for url in assets if not is_same_origin(url)] == []
    for url in assets:
        if url == "/openapi.json" and app is gateway:
            continue  # stitched from the running services: the e2e suite fetches it
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url


def test_a_cdn_reference_is_not_same_origin() -> None:
    html = '<script src="https://cdn.example/swagger-ui-bundle.js"></script><link href="/a.css">'
    assert [is_same_origin(url) for url in page_assets(html)] == [False, True]
