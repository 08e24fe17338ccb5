from typing import Any

import pytest

from services.catalog.models import (
    ProductChanges,
    ProductFields,
    ProductStore,
)
from services.catalog.settings import CatalogSettings
from services.common.errors import Conflict, NotFound


@pytest.fixture
def store(provisioned: dict[str, Any], catalog_settings: CatalogSettings) -> ProductStore:
    return ProductStore(provisioned["dynamodb"], catalog_settings.products_table)


def fields(sku: str = "MUG-001", **changes: Any) -> ProductFields:
    return ProductFields.model_validate({"sku": sku, "name": "Mug", "price_cents": 999} | changes)


def test_create_then_get_returns_the_same_product(store: ProductStore) -> None:
    created = store.create(fields(tags=["mugs"]))
    assert store.get(created.id) == created
    assert created.version == 1


def test_duplicate_sku_is_a_conflict_and_writes_nothing(store: ProductStore) -> None:
    store.create(fields())
    with pytest.raises(Conflict, match="MUG-001"):
        store.create(fields(name="Other"))
    assert len(store.page(limit=10).items) == 1


def test_update_changes_only_given_fields_and_bumps_version(store: ProductStore) -> None:
    created = store.create(fields())
    updated = store.update(created.id, ProductChanges(price_cents=1299))
    assert (updated.price_cents, updated.name, updated.version) == (1299, "Mug", 2)
    assert store.get(created.id) == updated


def test_changing_sku_moves_the_claim(store: ProductStore) -> None:
    first = store.create(fields("MUG-001"))
    store.update(first.id, ProductChanges(sku="MUG-002"))
    second = store.create(fields("MUG-001"))  # the old SKU is free again
    assert store.find_by_sku("MUG-001") == second
    with pytest.raises(Conflict, match="MUG-001"):
        store.update(first.id, ProductChanges(sku="MUG-001"))


def test_delete_frees_the_sku_and_forgets_the_product(store: ProductStore) -> None:
    created = store.create(fields())
    store.delete(created.id)
    with pytest.raises(NotFound):
        store.get(created.id)
    assert store.find_by_sku("MUG-001") is None


def test_pages_cover_every_product_once_in_creation_order(store: ProductStore) -> None:
    ids = [store.create(fields(f"SKU-{n:03d}")).id for n in range(23)]
    seen, cursor = [], None
    while True:
        page = store.page(limit=5, cursor=cursor)
        seen += [product.id for product in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ids


def test_last_full_page_has_no_cursor(store: ProductStore) -> None:
    for n in range(4):
        store.create(fields(f"SKU-{n:03d}"))
    assert store.page(limit=4).next_cursor is None
