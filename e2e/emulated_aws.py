"""A look into the Moto behind a stack, for what a client of the API cannot see."""

from typing import Any

import boto3
import httpx


class EmulatedAws:
    """Moto behind the stack: boto3 clients with fake keys, and Moto's own state dump."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._session = boto3.session.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
        )

    def client(self, service: str) -> Any:
        return self._session.client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def emails_to(self, address: str) -> list[dict[str, Any]]:
        """E-mails the emulated SES accepted for ``address`` (Moto's /moto-api/data.json)."""
        data = httpx.get(f"{self.endpoint}/moto-api/data.json", timeout=30).json()
        messages = data.get("ses", {}).get("Message", [])
        return [m for m in messages if address in m["destinations"].get("ToAddresses", [])]
