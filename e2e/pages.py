"""What a browser fetches to show a page: to check that the stack's pages work offline."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

_SWAGGER_SPEC = re.compile(r"""\burl:\s*['"]([^'"]+)['"]""")


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "img": "src", "link": "href", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def page_assets(html: str) -> list[str]:
    """Every URL the page loads: scripts, style sheets, icons, images, and the OpenAPI
    document a Swagger UI page fetches."""
    parser = _Assets()
    parser.feed(html)
    return parser.urls + _SWAGGER_SPEC.findall(html)


def is_same_origin(url: str) -> bool:
    """A path on the page's own server: no scheme, no host (so no CDN, no internet)."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and url.startswith("/")
