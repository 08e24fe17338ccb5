"""Swagger UI that works offline: its script, style sheet and icon come from this app.

FastAPI's default ``/docs`` page loads them from a CDN, so it is blank without internet.
The fastapi-offline package ships the same Swagger UI build; we serve its files
ourselves (rather than through its app factory) because the gateway's page shows a
stitched spec from its own route, which that factory's fixed ``/openapi.json`` route
would shadow.
"""

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))


def serve_assets(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")


def swagger_page(openapi_url: str, title: str) -> HTMLResponse:
    """The Swagger UI page for ``openapi_url``, referencing only same-origin files."""
    return get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )
