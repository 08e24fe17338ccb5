"""The demo pages in real Chromium: the shop, placing orders, the flow view, the AWS view.

Each test works on products and stock of its own (made through the API), so
it can run against any stack, any number of times. A failing test leaves a
screenshot of its page under ``.data/artifacts/`` (see ``conftest.py``).
"""

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from e2e.browser import ARTIFACTS, screenshot_dir
from e2e.conftest import API_KEY
from e2e.emulated_aws import EmulatedAws
from e2e.helpers import eventually
from e2e.shop.helpers import FULFILMENT_DEADLINE, available, customer, events_topic_arn, unique_sku
from e2e.stacks import Stack
from services.contracts import EVENT_TYPE_ATTRIBUTE

if TYPE_CHECKING:
    from playwright._impl._api_structures import ViewportSize

GRID = "#products .card"
FULFILMENT_MS = FULFILMENT_DEADLINE * 1000
PHONE: "ViewportSize" = {"width": 390, "height": 844}


def snap(page: Page, name: str) -> None:
    """A full-page screenshot for the README, when ``make screenshots`` asked for them."""
    target = screenshot_dir()
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)


def stocked_product(api: httpx.Client, units: int, name: str = "Demo mug") -> dict[str, Any]:
    response = api.post(
        "/catalog/products", json={"sku": unique_sku(), "name": name, "price_cents": 1450}
    )
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    stock = api.put(f"/inventory/{product['sku']}", json={"available": units})
    assert stock.status_code == 200, stock.text
    return product


def add_to_basket(page: Page, product: dict[str, Any], quantity: int) -> None:
    page.goto(f"/products/{product['id']}")
    page.fill("#add input[name=quantity]", str(quantity))
    page.click("#add button")
    expect(page.locator("#message")).to_contain_text("Added")


def checkout(page: Page, email: str) -> None:
    page.goto("/basket")
    page.fill("#checkout input[name=customer]", email)


def orders_of(api: httpx.Client, email: str) -> list[dict[str, Any]]:
    response = api.get("/orders", params={"customer": email})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_the_grid_shows_the_seeded_products_with_their_images(page: Page) -> None:
    page.goto("/")
    cards = page.locator(GRID)
    expect(cards.first).to_be_visible()
    assert cards.count() >= 20
    assert "MUG-001" in [cards.nth(i).get_attribute("data-sku") for i in range(cards.count())]
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load too
    page.wait_for_function(
        "() => [...document.querySelectorAll('#products img')]"
        ".every(img => img.complete && img.naturalWidth > 0)",
        timeout=30_000,
    )
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "shop")


def test_the_first_page_renders_fast_and_fits_a_phone(page: Page, stack: Stack) -> None:
    """Measured and recorded (never asserted: shared machines are noisy); the layout is."""
    page.goto("/")  # warms the stack's caches and connections
    page.reload()
    timing = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const paint = performance.getEntriesByName('first-contentful-paint')[0];
          return {first_byte_ms: nav.responseStart, html_done_ms: nav.responseEnd,
                  dom_content_loaded_ms: nav.domContentLoadedEventEnd,
                  first_contentful_paint_ms: paint ? paint.startTime : null,
                  load_ms: nav.loadEventEnd};
        }"""
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "render-times.json").write_text(
        json.dumps(timing | {"stack": stack.gateway_url}, indent=2)
    )
    print(f"warm first page: {timing}")
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.locator(GRID).first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the shop is {overflow}px wider than a phone's screen"
    snap(page, "shop-phone")


def test_an_order_placed_on_the_page_turns_fulfilled_with_its_email(
    page: Page, api: httpx.Client
) -> None:
    product = stocked_product(api, 5, "Fulfilled mug")
    email = customer()
    add_to_basket(page, product, 2)
    snap(page, "product")
    checkout(page, email)
    snap(page, "basket")
    page.click("#place-order")
    page.wait_for_url("**/orders/*")
    status = page.locator("#order-status")
    expect(status).to_have_text("FULFILLED", timeout=FULFILMENT_MS)
    expect(page.locator("#email")).to_contain_text(f"To: {email}", timeout=30_000)
    expect(page.locator("#email")).to_contain_text("Subject: Your order")
    expect(page.locator("#receipt")).to_contain_text(product["sku"])
    snap(page, "order")
    [order] = orders_of(api, email)
    assert order["status"] == "FULFILLED"
    assert order["id"] == status.get_attribute("data-order")
    assert available(api, product["sku"]) == 3


def test_out_of_stock_and_invalid_input_show_a_friendly_message_and_order_nothing(
    page: Page, api: httpx.Client
) -> None:
    product = stocked_product(api, 1, "Last mug")
    email = customer()
    message = page.locator("#message")
    add_to_basket(page, product, 2)
    checkout(page, email)
    page.click("#place-order")
    expect(message).to_contain_text("Sorry, only 1")
    expect(message).to_contain_text("Last mug left. Lower the quantity and try again.")
    page.fill("#basket-lines input[name=quantity]", "0")
    page.dispatch_event("#basket-lines input[name=quantity]", "change")
    page.click("#place-order")
    expect(message).to_have_text("Each quantity must be a whole number from 1 to 1000.")
    page.fill("#basket-lines input[name=quantity]", "1")
    page.dispatch_event("#basket-lines input[name=quantity]", "change")
    page.fill("#checkout input[name=customer]", "not-an-address")
    page.click("#place-order")
    expect(message).to_have_text("Please enter a valid e-mail address for the receipt.")
    expect(page.locator("#place-order")).to_be_enabled()
    assert orders_of(api, email) == []
    assert available(api, product["sku"]) == 1


def test_two_quick_clicks_on_the_order_button_place_one_order(
    page: Page, api: httpx.Client
) -> None:
    product = stocked_product(api, 10)
    email = customer()
    add_to_basket(page, product, 1)
    checkout(page, email)
    page.evaluate(
        "() => { const b = document.querySelector('#place-order'); b.click(); b.click(); }"
    )
    page.wait_for_url("**/orders/*")
    assert len(orders_of(api, email)) == 1
    assert available(api, product["sku"]) == 9


def test_a_retry_after_a_lost_answer_places_one_order(page: Page, api: httpx.Client) -> None:
    """The order is placed but its answer never arrives; the shopper clicks again and the
    same Idempotency-Key brings back the first order instead of a second one."""
    product = stocked_product(api, 10)
    email = customer()
    add_to_basket(page, product, 1)
    checkout(page, email)
    lost: list[int] = []

    def lose_the_answer(route: Any) -> None:
        if not lost:
            # Sent from outside the browser (so with the key, not the browser's same-origin
            # headers); it reaches the stack, then the answer is dropped.
            headers = route.request.headers | {"x-api-key": API_KEY}
            lost.append(route.fetch(headers=headers).status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/orders", lose_the_answer)
    page.click("#place-order")
    expect(page.locator("#message")).to_contain_text("try again")
    assert lost == [201]
    page.click("#place-order")
    page.wait_for_url("**/orders/*")
    assert len(orders_of(api, email)) == 1
    assert available(api, product["sku"]) == 9


def test_a_poison_message_shows_in_the_flow_view_and_redrive_sends_it_back(
    page: Page, emulated_aws: EmulatedAws
) -> None:
    sns = emulated_aws.client("sns")
    topic = events_topic_arn(emulated_aws)
    marker = f"poison-{uuid.uuid4().hex}"
    sns.publish(
        TopicArn=topic,
        Message=json.dumps({"type": "OrderPlaced", "schema_version": 1, "marker": marker}),
        MessageAttributes={
            EVENT_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": "OrderPlaced"}
        },
    )
    page.goto("/flow")
    poisoned = page.locator("#dead-letters tr", has_text=marker)
    expect(poisoned).to_have_count(1, timeout=60_000)
    first_id = poisoned.get_attribute("data-message")
    expect(page.locator("#queues")).to_contain_text("dead letters of")
    snap(page, "flow")
    page.click("#redrive")
    expect(page.locator("#message")).to_contain_text("back to the work queue")
    # Still poison: it goes round the work queue again and dies again, as a new message.
    eventually(
        lambda: (
            True
            if poisoned.count() == 1 and poisoned.get_attribute("data-message") != first_id
            else None
        ),
        60,
        "the redriven message back in the dead-letter queue as a new message",
    )


def test_the_flow_view_follows_an_order_hop_by_hop(page: Page, api: httpx.Client) -> None:
    product = stocked_product(api, 3)
    response = api.post(
        "/orders",
        json={"customer": customer(), "lines": [{"sku": product["sku"], "quantity": 1}]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    order = response.json()
    page.goto("/flow")
    path = page.locator(f"article.path[data-order='{order['id']}']")
    expect(path.locator("li.done")).to_have_count(6, timeout=FULFILMENT_MS)
    expect(path).to_contain_text(f"request {response.headers['x-request-id']}")
    expect(path).to_contain_text(f"receipts/{order['id']}.json")


def test_the_aws_view_shows_resources_and_only_the_names_of_secrets(page: Page) -> None:
    page.goto("/aws")
    expect(page.locator("#tables")).to_contain_text("orders-orders")
    expect(page.locator("#buckets")).to_contain_text("catalog-images")
    expect(page.locator("#queues")).to_contain_text("Not peeked")
    expect(page.locator("#topics")).to_contain_text("orders-events")
    expect(page.locator("#secrets")).to_contain_text("gateway-api-keys")
    expect(page.locator("#durable")).to_contain_text("fsync")
    assert "demo-key" not in page.content()
    snap(page, "aws")


@pytest.fixture
def foreign_page() -> Iterator[str]:
    """A page served by another local server (another origin on this machine)."""

    class ForeignPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<h1>a foreign page</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), ForeignPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_foreign_page_cannot_order_with_the_stacks_key(
    page: Page, api: httpx.Client, stack: Stack, foreign_page: str
) -> None:
    """CSRF: a page of another local origin (say, another dev server on this machine) posts
    to the shop's API; the gateway adds no key to it."""
    product = stocked_product(api, 5)
    email = customer()
    order = {"customer": email, "lines": [{"sku": product["sku"], "quantity": 1}]}
    page.goto(foreign_page)
    # The only writes a foreign page can send without a CORS preflight are "simple" ones;
    # its script cannot read the answer, but the browser's network log shows the status:
    # 401 means the gateway added no key (with one, the orders service would answer 422).
    with page.expect_response(lambda response: "/api/orders" in response.url) as answer:
        page.evaluate(
            """([url, body]) => fetch(url, {method: 'POST', mode: 'no-cors', body,
                                           headers: {'Content-Type': 'text/plain'}})""",
            [f"{stack.gateway_url}/api/orders", json.dumps(order)],
        )
    assert answer.value.status == 401
    assert orders_of(api, email) == []
    assert available(api, product["sku"]) == 5


def test_a_rebinding_page_on_a_foreign_host_gets_no_key(
    anonymous_api: httpx.Client, stack: Stack
) -> None:
    """DNS rebinding: the foreign page's origin is the host it asks for, which is not loopback."""
    port = stack.gateway_url.rsplit(":", 1)[-1]
    response = anonymous_api.post(
        "/orders",
        json={"customer": customer(), "lines": [{"sku": "MUG-001", "quantity": 1}]},
        headers={
            "Host": f"shop.example:{port}",
            "Origin": f"http://shop.example:{port}",
            "Sec-Fetch-Site": "same-origin",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 401, response.text
