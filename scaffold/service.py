"""``make new-service NAME=…`` and ``make remove-service NAME=…``.

A new service is rendered from ``templates/service/`` with Jinja2 (paths
included: ``__package__`` becomes the package name), entered in the registry,
and given its compose entries. Everything is computed and checked first and
written last, so a refused name leaves the checkout exactly as it was.
"""

import keyword
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.registry import GATEWAY, NAME_PATTERN, Registry, Service

TEMPLATES = Path(__file__).with_name("templates")
RESERVED = frozenset(
    {
        "api", "common", "contracts", "gateway", "registry", "seed", "moto", "services",
        "scaffold", "devstack", "e2e", "tests", "docs", "docs-assets", "healthz", "readyz",
        "openapi", "static", "test", "aws", "localstack",
    }
)  # fmt: skip
"""Names that would shadow a platform package, a gateway path or a tool."""
FIRST_PORT = 8001


class Refused(ValueError):
    """The name or the checkout does not allow the change; nothing was written."""


@dataclass
class Change:
    """Files to write and paths to delete, relative to the repository root."""

    write: dict[Path, str] = field(default_factory=dict)
    delete: list[Path] = field(default_factory=list)

    def apply(self, root: Path) -> list[Path]:
        for path in self.delete:
            target = root / path
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        for path, text in self.write.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        return [*self.delete, *self.write]


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        autoescape=False,  # Python, YAML and TOML, never HTML  # noqa: S701
    )


def render_registry(registry: Registry) -> str:
    """The registry file for ``registry``: the generator rewrites it whole, from the data."""
    return environment().get_template("registry.toml.j2").render(services=registry.services)


def check_name(name: str, registry: Registry) -> None:
    if not re.fullmatch(NAME_PATTERN, name):
        raise Refused(
            f"{name!r} is not a service name: a lowercase letter, then 1 to 30 lowercase "
            "letters, digits or '-' (e.g. reviews, user-profiles)"
        )
    if name in RESERVED or keyword.iskeyword(name.replace("-", "_")):
        raise Refused(f"{name!r} is reserved by the platform; choose another name")
    if name in registry.names:
        raise Refused(f"a service {name!r} already exists (services/registry.toml)")
    if name in registry.routes():
        owner = registry.routes()[name].service
        raise Refused(f"/api/{name} is already a route of {owner!r}; choose another name")


def _free_port(registry: Registry) -> int:
    taken = {service.port for service in registry.services}
    port = FIRST_PORT
    while port in taken:
        port += 1
    return port


def _insert_before_gateway(compose: str, block: str) -> str:
    """Put ``block`` right above the gateway's entry, so compose lists it where the registry
    does (the gateway last)."""
    lines = compose.splitlines(keepends=True)
    try:
        at = lines.index(f"  {GATEWAY}:\n")
    except ValueError:
        raise Refused(
            "compose.yaml has no `  gateway:` service entry to add the new one before"
        ) from None
    while at > 0 and lines[at - 1].startswith("  #"):
        at -= 1
    return "".join([*lines[:at], block, *lines[at:]])


def remove_yaml_entry(text: str, name: str) -> str:
    """``text`` without the two-space-indented entry ``name:`` under ``services:`` (and the
    comment lines right above it). Unchanged if there is none."""
    lines = text.splitlines(keepends=True)
    if f"  {name}:\n" not in lines:
        return text
    start = lines.index(f"  {name}:\n")
    end = start + 1
    while end < len(lines) and not re.match(r"^ {0,2}\S", lines[end]):
        end += 1
    while start > 0 and lines[start - 1].startswith("  #"):
        start -= 1
    rest = lines[:start] + lines[end:]
    # Others' `depends_on` entries on it go too (they are one line each: `name: {...}`).
    dependency = re.compile(rf"^ {{6}}{re.escape(name)}: \{{condition: \w+\}}\s*$")
    return "".join(line for line in rest if not dependency.match(line))


def new_service(root: Path, registry: Registry, name: str) -> Change:
    """Everything a new service ``name`` needs, rendered; refused before anything is
    written when the name is bad or a file is in the way."""
    check_name(name, registry)
    service = Service(name=name, port=_free_port(registry), routes={name: ""})
    context = {
        "name": name,
        "package": service.package,
        "camel": "".join(part.capitalize() for part in name.split("-")),
    }
    env = environment()
    change = Change()
    service_root = TEMPLATES / "service"
    if (root / "services" / service.package).exists():
        raise Refused(f"services/{service.package}/ already exists; choose another name")
    for template in sorted(service_root.rglob("*.j2")):
        relative = template.relative_to(service_root).as_posix()
        target = Path(relative.removesuffix(".j2").replace("__package__", service.package))
        if (root / target).exists():
            raise Refused(f"{target} already exists; remove it or choose another name")
        change.write[target] = env.get_template(f"service/{relative}").render(context)

    *others, gateway = registry.services
    updated = Registry(services=(*others, service, gateway))
    change.write[Path("services/registry.toml")] = render_registry(updated)
    compose = (root / "compose.yaml").read_text()
    block = env.get_template("compose-service.yaml.j2").render(context)
    change.write[Path("compose.yaml")] = _insert_before_gateway(compose, block)
    override = (root / "compose.override.yaml").read_text()
    entry = env.get_template("compose-override-service.yaml.j2").render(context)
    change.write[Path("compose.override.yaml")] = override.rstrip("\n") + "\n" + entry
    return change


def remove_service(
    root: Path, registry: Registry, name: str, pending: Change | None = None
) -> Change:
    """The service ``name``, its tests, registry entry and compose entries, gone; on top of
    ``pending`` (a change not yet written) when given."""
    if name == GATEWAY:
        raise Refused("the gateway is the platform's front door and cannot be removed")
    if name not in registry.names:
        raise Refused(f"no service {name!r} in services/registry.toml")
    needed_by = [s.name for s in registry.services if name in s.after]
    if needed_by:
        raise Refused(f"{', '.join(needed_by)} starts after {name!r}; remove that first")
    service = registry.get(name)
    change = Change(
        delete=[
            path
            for path in (
                Path("services") / service.package,
                Path("tests/services") / service.package,
                Path("e2e") / f"test_{service.package}.py",
            )
            if (root / path).exists()
        ]
    )
    remaining = Registry(services=tuple(s for s in registry.services if s.name != name))
    change.write[Path("services/registry.toml")] = render_registry(remaining)
    for compose in map(Path, ("compose.yaml", "compose.override.yaml")):
        text = pending.write[compose] if pending and compose in pending.write else None
        text = text if text is not None else (root / compose).read_text()
        change.write[compose] = remove_yaml_entry(text, name)
    if pending is not None:
        change.delete = [*pending.delete, *change.delete]
        change.write = pending.write | change.write
    return change
