"""Fixtures of the orders service's tests."""

from typing import Any

import pytest
from botocore.client import BaseClient


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
