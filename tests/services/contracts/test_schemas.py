"""The published JSON Schemas are exactly the ones the code validates against."""

from services.contracts.__main__ import SCHEMAS_DIR, schemas


def test_every_event_is_published_and_every_published_schema_is_current() -> None:
    published = {p.name: p.read_text() for p in SCHEMAS_DIR.glob("*.json")}
    expected = schemas()
    stale = sorted(
        name for name in published.keys() & expected if published[name] != expected[name]
    )
    assert stale == [], f"stale: {stale}; run python -m services.contracts"
    assert sorted(expected.keys() - published) == [], (
        "unpublished; run python -m services.contracts"
    )
    assert sorted(published.keys() - expected) == [], "no event of that name and version any more"
