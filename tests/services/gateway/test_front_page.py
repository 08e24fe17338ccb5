"""``/`` once ``make remove-example`` took the demo pages: the API docs, not a 404."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.gateway import main


def test_without_the_demo_the_front_page_leads_to_the_docs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(main, "DEMO", "services.gateway.removed_demo")
    app = FastAPI()
    main.install_front_page(app)
    response = TestClient(app).get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (307, "/docs")
