"""A route of the tests' own, so the gateway is tested without any example service."""

import pytest

from services.gateway.main import app
from services.gateway.settings import ROUTES, Route

PROBE = "probe"
"""Routed to a port nothing listens on: getting past the gateway's checks shows as 503."""


@pytest.fixture
def probe_route(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(ROUTES, PROBE, Route(service=PROBE))
    monkeypatch.setitem(app.state.settings.upstream_urls, PROBE, "http://127.0.0.1:9")
    return PROBE
