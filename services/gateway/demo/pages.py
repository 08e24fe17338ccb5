"""The demo's pages: the shop at ``/``, the flow of events at ``/flow``, the AWS at ``/aws``.

Server-rendered (Jinja2) from the services' APIs, with a little script for the
basket, placing orders and live updates; every asset comes from ``/static``,
so the pages work offline. Writes go through the public ``/api`` like any
client's (see ``page_auth`` for how they are allowed on a local stack).
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from services.catalog.models import Product, ProductPage
from services.gateway.demo import emulated_aws
from services.gateway.demo.aws_clients import aws_clients
from services.gateway.demo.flow import flow_state
from services.gateway.demo.grid_cache import GridCache
from services.gateway.demo.settings import DemoSettings
from services.gateway.demo.upstreams import UpstreamError, Upstreams
from services.orders.models import Order
from services.orders.settings import OrdersSettings

HERE = Path(__file__).parent
GRID_SIZE = 24
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=HERE / "templates")


def money(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency}"


def clock(at: datetime | None) -> str:
    """Wall-clock time with milliseconds, the resolution the flow is worth watching at."""
    return at.strftime("%H:%M:%S.%f")[:-3] if at else "—"


templates.env.filters["money"] = money
templates.env.filters["clock"] = clock
# Inlined into every page: a stylesheet request would hold back the first paint.
_css = (HERE / "static" / "app.css").read_text()
templates.env.globals["stylesheet"] = Markup(_css)  # noqa: S704 (our own file, not input)


def _settings(request: Request) -> DemoSettings:
    settings: DemoSettings = request.app.state.demo_settings
    return settings


def _upstreams(request: Request) -> Upstreams:
    return Upstreams(request.app.state.http, request.app.state.settings.upstreams)


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    settings = _settings(request)
    context |= {
        "inspects_aws": settings.inspects_aws,
        "page_writes": settings.page_key() is not None,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


def _unavailable(request: Request, error: UpstreamError) -> HTMLResponse:
    return _page(request, "error.html", 503, title="Not available right now", detail=str(error))


@router.get("/")
async def shop(request: Request, cursor: str | None = Query(None, max_length=1024)) -> Response:
    params: dict[str, Any] = {"limit": GRID_SIZE} | ({"cursor": cursor} if cursor else {})
    upstreams = _upstreams(request)
    cache: GridCache = request.app.state.demo_grid

    async def fetch() -> Any:
        return await upstreams.get("catalog", "/products", params)

    try:
        found = await fetch() if cursor else await cache.get("first", fetch)
    except UpstreamError as error:
        return _unavailable(request, error)
    page = ProductPage.model_validate(found or {"items": [], "next_cursor": None})
    return _page(request, "shop.html", products=page.items, next_cursor=page.next_cursor)


@router.get("/products/{product_id}")
async def product(request: Request, product_id: str) -> Response:
    upstreams = _upstreams(request)
    try:
        found = await upstreams.get("catalog", f"/products/{product_id}")
        if found is None:
            return _page(request, "error.html", 404, title="No such product", detail="")
        item = Product.model_validate(found)
        stock = await upstreams.get("orders", f"/inventory/{item.sku}")
    except UpstreamError as error:
        return _unavailable(request, error)
    return _page(request, "product.html", product=item, available=(stock or {}).get("available"))


@router.get("/basket")
async def basket(request: Request) -> Response:
    return _page(request, "basket.html")


@router.get("/orders/{order_id}")
async def order(request: Request, order_id: str) -> Response:
    try:
        found = await _upstreams(request).get("orders", f"/orders/{order_id}")
    except UpstreamError as error:
        return _unavailable(request, error)
    if found is None:
        return _page(request, "error.html", 404, title="No such order", detail="")
    return _page(request, "order.html", order=Order.model_validate(found))


@router.get("/flow")
async def flow(request: Request, part: str | None = Query(None, pattern="^body$")) -> Response:
    """``?part=body`` is what the page's script swaps in every few seconds."""
    settings = _settings(request)
    orders = OrdersSettings()
    state = await flow_state(
        aws_clients(request.app, settings),
        _upstreams(request),
        orders.orders_table,
        f"{settings.stack_name}-{settings.stage}-",
        settings.demo_flow_orders,
    )
    return _page(request, "flow_body.html" if part else "flow.html", state=state)


@router.get("/aws")
async def aws(request: Request) -> Response:
    found = await emulated_aws.overview(
        aws_clients(request.app, _settings(request)), request.app.state.http
    )
    return _page(request, "aws.html", overview=found)
