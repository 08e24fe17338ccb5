"""``python -m services.contracts [--check]``: write (or check) the published JSON Schemas.

One file per event and schema version, ``schemas/<type>.v<version>.json``, from
the pydantic models, so the published schema cannot drift from the code.
"""

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from pydantic import BaseModel

import services.contracts

SCHEMAS_DIR = Path(__file__).with_name("schemas")


def events() -> list[type[BaseModel]]:
    """Every event some contract module lists in its ``EVENTS``."""
    found: list[type[BaseModel]] = []
    for module in pkgutil.iter_modules(services.contracts.__path__):
        if not module.name.startswith("_"):
            found += importlib.import_module(f"services.contracts.{module.name}").EVENTS
    return found


def schemas() -> dict[str, str]:
    """File name to its JSON text."""
    written = {}
    for event in events():
        fields = event.model_fields
        name = f"{fields['type'].default}.v{fields['schema_version'].default}.json"
        written[name] = json.dumps(event.model_json_schema(), indent=2, sort_keys=True) + "\n"
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.contracts")
    parser.add_argument("--check", action="store_true", help="fail if a schema file is stale")
    check = parser.parse_args(argv).check
    stale = []
    SCHEMAS_DIR.mkdir(exist_ok=True)
    for name, text in schemas().items():
        path = SCHEMAS_DIR / name
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text)
    if check and stale:
        print(f"stale schemas: {', '.join(stale)}; run python -m services.contracts")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
