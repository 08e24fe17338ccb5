""".env.example documents every setting; each must be honoured, under that one name.

A documented variable nothing reads is worse than none: the user sets it and
nothing happens. Compose forwarding a variable under another name hid exactly
that (the durable Moto settings worked in compose and silently not in `make
dev` or `make moto`), so forwarding must keep the name.
"""

import importlib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ["services", "seed", "devstack", "moto/src", "scripts", "moto/Dockerfile", "Makefile"]
"""Where a variable is read (not tests, not docs)."""


def documented() -> list[str]:
    """Every NAME=... of .env.example, commented-out optional ones included."""
    text = (ROOT / ".env.example").read_text()
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE)


def program_text() -> str:
    files: list[Path] = []
    for entry in PROGRAMS:
        path = ROOT / entry
        files += [path] if path.is_file() else [*path.rglob("*.py"), *path.rglob("*.sh")]
    return "\n".join(file.read_text() for file in files)


def settings_fields() -> set[str]:
    """Variables pydantic-settings reads: the fields of every settings class, upper-cased."""
    for module in [*ROOT.glob("services/**/settings.py"), *ROOT.glob("seed/settings.py")]:
        importlib.import_module(".".join(module.relative_to(ROOT).with_suffix("").parts))
    names: set[str] = set()
    pending: list[type[BaseSettings]] = [BaseSettings]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        prefix = str(cls.model_config.get("env_prefix", ""))
        names |= {f"{prefix}{field}".upper() for field in cls.model_fields}
    return names


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return data


def compose_forwards() -> dict[str, str]:
    """``KEY: ${NAME...}`` entries of the services' environments: KEY -> NAME."""
    forwards = {}
    for service in compose()["services"].values():
        for key, value in (service.get("environment") or {}).items():
            match = re.match(r"\$\{([A-Z][A-Z0-9_]*)", str(value))
            if match:
                forwards[key] = match.group(1)
    return forwards


def compose_own_use() -> set[str]:
    """Variables compose itself uses: ports, image tags, build arguments (not environments)."""
    data = compose()
    for service in data["services"].values():
        service.pop("environment", None)
    text = yaml.safe_dump({"services": data["services"]})
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))


def test_every_documented_variable_is_read_by_something() -> None:
    programs = program_text()
    read = settings_fields() | compose_own_use()
    unread = [
        name
        for name in documented()
        if name not in read and not re.search(rf"\b{name}\b", programs)
    ]
    assert unread == [], f"documented in .env.example, read by nothing: {unread}"


def test_compose_forwards_every_setting_under_its_own_name() -> None:
    renamed = {key: name for key, name in compose_forwards().items() if key != name}
    assert renamed == {}, f"compose passes these under another name (container: host): {renamed}"


def test_the_readers_are_real() -> None:
    """The checks above see a reader where there is one, and none where there is none."""
    fields = settings_fields()
    assert {"LOG_LEVEL", "UPSTREAM_TIMEOUT_SECONDS", "API_KEYS_CACHE_SECONDS"} <= fields
    assert {"MOTOSTACK_TAG", "MOTO_PORT"} <= compose_own_use()
    assert "DURABLE_MOTO_FSYNC" in compose_forwards()
    assert "DURABLE_MOTO_FSYNC" not in compose_own_use()
    assert "MOTO_FSYNC" not in fields
    assert not re.search(r"\bMOTO_FSYNC\b", program_text())
