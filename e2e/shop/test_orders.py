"""Placing orders through the gateway: stock, idempotency, and the event-driven fulfilment."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from e2e.emulated_aws import EmulatedAws
from e2e.shop.helpers import available, customer, fulfilled, place, stocked_sku
from services.fulfillment.settings import FulfillmentSettings


def test_an_order_is_fulfilled_with_a_receipt_and_an_email(
    api: httpx.Client, emulated_aws: EmulatedAws
) -> None:
    sku, who = stocked_sku(api, 10), customer()
    placed = place(api, sku, 3, who=who)
    assert placed.status_code == 201, placed.text
    assert placed.json()["status"] == "PLACED"
    assert available(api, sku) == 7

    order = fulfilled(api, placed.json()["id"])
    assert order["version"] == 2, "exactly one status change"
    receipts = emulated_aws.client("s3").list_objects_v2(
        Bucket=FulfillmentSettings().receipts_bucket, Prefix=order["receipt"]
    )
    assert [o["Key"] for o in receipts.get("Contents", [])] == [order["receipt"]]
    (email,) = emulated_aws.emails_to(who)
    assert email["id"] == order["email_message_id"]
    assert order["id"] in email["body"]


def test_fifty_concurrent_orders_for_ten_units_sell_exactly_ten(api: httpx.Client) -> None:
    sku = stocked_sku(api, 10)
    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(lambda _: place(api, sku), range(50)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 10 + [409] * 40, statuses
    refusal = next(r for r in responses if r.status_code == 409).json()
    assert (refusal["sku"], refusal["available"], refusal["requested"]) == (sku, 0, 1)
    assert available(api, sku) == 0


def test_one_key_sent_five_times_at_once_places_one_order(api: httpx.Client) -> None:
    sku, who = stocked_sku(api, 10), customer()
    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(lambda _: place(api, sku, 2, who=who, key=f"k-{who}"), range(5)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sorted(r.headers["idempotent-replayed"] for r in responses) == ["false"] + ["true"] * 4
    assert available(api, sku) == 8
    listed = api.get("/orders", params={"customer": who}).json()["items"]
    assert len(listed) == 1

    other_body = place(api, sku, 1, who=who, key=f"k-{who}")
    assert other_body.status_code == 422
    assert other_body.json()["errors"][0]["field"] == "Idempotency-Key"


def test_refusals_are_problems_that_name_the_cause(api: httpx.Client) -> None:
    sku = stocked_sku(api, 1)
    too_many = place(api, sku, 2)
    assert too_many.status_code == 409
    assert too_many.headers["content-type"] == "application/problem+json"
    assert f"not enough stock for {sku}: 1 left, 2 asked" == too_many.json()["detail"]
    unknown = place(api, "NO-SUCH-SKU")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "lines.sku"
    no_key = api.post("/orders", json={"customer": customer(), "lines": []})
    assert no_key.status_code == 422
    assert {e["field"] for e in no_key.json()["errors"]} == {"idempotency-key", "lines"}
    assert available(api, sku) == 1, "refused orders take nothing"
    assert api.get("/orders/no-such-order").status_code == 404
