"""What the catalog owns: one products table and one images bucket."""

from services.catalog.settings import CatalogSettings
from services.common.internal import internal_token_secret
from services.common.resources import Bucket, Index, Resource, Table

LISTING_INDEX = "by-created"
"""Sparse index over product items only, ordered by creation: stable cursor pagination."""


def declared_resources() -> list[Resource]:
    """What the seeder creates for this service (services/registry.toml)."""
    return catalog_resources(CatalogSettings())


def catalog_resources(settings: CatalogSettings) -> list[Resource]:
    return [
        Table(
            name=settings.products_table,
            partition_key="pk",
            indexes=(Index(LISTING_INDEX, partition_key="entity", sort_key="created"),),
        ),
        Bucket(name=settings.images_bucket),
        internal_token_secret(settings),
    ]
