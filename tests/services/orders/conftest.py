"""Fixtures of the orders service's tests."""

from typing import Any

import pytest
from botocore.client import BaseClient
from fastapi.testclient import TestClient

from services.orders.outbox import EventQueue


@pytest.fixture
def aws_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every AWS call the process makes from now on, as ``service:Operation``."""
    calls: list[str] = []
    real = BaseClient._make_api_call  # type: ignore[attr-defined]  # private: not in the stubs

    def counted(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls.append(f"{self.meta.service_model.service_name}:{operation}")
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    return calls


def events_sent(client: TestClient) -> None:
    """Wait until the events of the orders placed so far have gone out (their own task)."""
    assert client.portal is not None, "the client runs the app's lifespan"
    events: EventQueue = client.app.state.events  # type: ignore[attr-defined]
    client.portal.call(events.drain)
