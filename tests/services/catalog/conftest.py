"""The catalog's resources on in-process Moto, created the way the seeder creates them."""

from typing import Any

import pytest

from seed.provision import ensure
from services.catalog.resources import catalog_resources
from services.catalog.settings import CatalogSettings


@pytest.fixture
def catalog_settings(aws: None) -> CatalogSettings:
    return CatalogSettings()


@pytest.fixture
def provisioned(catalog_settings: CatalogSettings, clients: dict[str, Any]) -> dict[str, Any]:
    for resource in catalog_resources(catalog_settings):
        ensure(resource, clients, catalog_settings.aws_region)
    return clients
