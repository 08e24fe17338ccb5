"""The catalog's resources on in-process Moto, created the way the seeder creates them."""

from typing import Any

import pytest

from seed.internal_token import ensure_internal_token
from seed.provision import ensure
from services.catalog.resources import catalog_resources
from services.catalog.settings import CatalogSettings
from services.common.internal import internal_token_secret


@pytest.fixture
def catalog_settings(aws: None) -> CatalogSettings:
    return CatalogSettings()


@pytest.fixture
def provisioned(catalog_settings: CatalogSettings, clients: dict[str, Any]) -> dict[str, Any]:
    for resource in catalog_resources(catalog_settings):
        ensure(resource, clients, catalog_settings.aws_region)
    ensure_internal_token(clients["secretsmanager"], internal_token_secret(catalog_settings).name)
    return clients
