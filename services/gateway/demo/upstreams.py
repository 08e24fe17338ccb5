"""Server-side reads of the services' own APIs, for pages rendered by the gateway.

The pages read what any client could read through ``/api``, but straight from
the upstreams (one hop less), with the page request's id so logs line up.
"""

from typing import Any

import httpx
from asgi_correlation_id import correlation_id

from services.common.app import REQUEST_ID_HEADER


class UpstreamError(Exception):
    """An upstream was unreachable or answered an error the page cannot show as content."""


class Upstreams:
    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str]) -> None:
        self._http = http
        self._urls = urls

    async def get(
        self, service: str, path: str, params: dict[str, Any] | None = None
    ) -> Any | None:
        """The JSON answer, or None for a 404."""
        headers = {REQUEST_ID_HEADER: correlation_id.get() or ""}
        try:
            response = await self._http.get(
                f"{self._urls[service]}{path}", params=params, headers=headers
            )
        except httpx.HTTPError as error:
            raise UpstreamError(f"{service} is unreachable ({type(error).__name__})") from None
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise UpstreamError(f"{service} answered {response.status_code}")
        return response.json()
