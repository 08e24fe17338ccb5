"""The demo web pages the gateway serves: a shop, the event flow, the emulated AWS."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.gateway.demo import pages
from services.gateway.demo.grid_cache import GridCache
from services.gateway.demo.page_auth import PageKeyMiddleware
from services.gateway.demo.settings import DemoSettings


def install(app: FastAPI) -> None:
    """Add the pages, their static assets and, on a local stack only, the page's write key."""
    settings = DemoSettings()
    app.state.demo_settings = settings
    app.state.demo_grid = GridCache(settings.demo_grid_fresh_seconds)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    key = settings.page_key()
    if key:
        app.add_middleware(PageKeyMiddleware, key=key)
