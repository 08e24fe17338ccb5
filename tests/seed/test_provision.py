from typing import Any

from seed.provision import ensure
from services.catalog.resources import catalog_resources
from services.catalog.settings import CatalogSettings


def test_second_run_changes_nothing(
    provisioned: dict[str, Any], catalog_settings: CatalogSettings
) -> None:
    outcomes = [
        ensure(resource, provisioned, "us-east-1")
        for resource in catalog_resources(catalog_settings)
    ]
    assert outcomes == ["exists", "exists"]


def test_table_has_the_declared_keys_and_index(
    provisioned: dict[str, Any], catalog_settings: CatalogSettings
) -> None:
    table = provisioned["dynamodb"].describe_table(TableName=catalog_settings.products_table)
    description = table["Table"]
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    (index,) = description["GlobalSecondaryIndexes"]
    assert [key["AttributeName"] for key in index["KeySchema"]] == ["entity", "created"]


def test_bucket_allows_browser_uploads(
    provisioned: dict[str, Any], catalog_settings: CatalogSettings
) -> None:
    rules = provisioned["s3"].get_bucket_cors(Bucket=catalog_settings.images_bucket)["CORSRules"]
    assert "PUT" in rules[0]["AllowedMethods"]
