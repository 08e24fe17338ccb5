"""compose.yaml publishes nothing beyond this machine."""

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[1] / "compose.yaml"


def test_every_published_port_is_on_loopback() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    published = {name: service.get("ports", []) for name, service in services.items()}
    assert published["moto"]
    assert published["gateway"]
    elsewhere = {
        name: [port for port in ports if not str(port).startswith("127.0.0.1:")]
        for name, ports in published.items()
    }
    assert {name: ports for name, ports in elsewhere.items() if ports} == {}
