"""Every service's and the gateway's ``/docs`` work offline: only same-origin assets."""

import importlib

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from e2e.pages import is_same_origin, page_assets
from services.registry import GATEWAY, registry


@pytest.mark.parametrize("service", registry().names)
def test_docs_page_loads_only_same_origin_assets(service: str) -> None:
    app: FastAPI = importlib.import_module(f"{registry().get(service).module}.main").app
    client = TestClient(app)  # no lifespan: the page and its assets need no AWS
    page = client.get("/docs")
    assert page.status_code == 200
    assets = page_assets(page.text)
    assert {"/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"} <= set(assets)
    assert [url for url in assets if not is_same_origin(url)] == []
    for url in assets:
        if url == "/openapi.json" and service == GATEWAY:
            continue  # stitched from the running services: the e2e suite fetches it
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content, url


def test_a_cdn_reference_is_not_same_origin() -> None:
    html = '<script src="https://cdn.example/swagger-ui-bundle.js"></script><link href="/a.css">'
    assert [is_same_origin(url) for url in page_assets(html)] == [False, True]
