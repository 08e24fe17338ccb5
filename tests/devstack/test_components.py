from pathlib import Path

import pytest

from devstack.components import Ports, local_components, stack_environment
from services.registry import registry


def test_environment_targets_the_local_moto_with_fake_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.example.invalid")
    env = stack_environment(Ports(moto=1234), tmp_path)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1234"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("test", "test")
    assert "AWS_PROFILE" not in env
    assert "AWS_SESSION_TOKEN" not in env
    assert "AWS_ENDPOINT_URL_S3" not in env


def test_components_start_in_dependency_order() -> None:
    components = local_components(Ports())
    services = registry().names
    assert [c.name for c in components] == ["moto", "seed", *services]
    assert [c.one_shot for c in components] == [False, True] + [False] * len(services)
    assert services[-1] == "gateway"


def test_every_service_gets_its_own_port_and_every_upstream_url(tmp_path: Path) -> None:
    ports = Ports.from_named({name: 20000 + i for i, name in enumerate(Ports().named())})
    env = stack_environment(ports, tmp_path)
    for service in registry().services:
        assert (
            env[f"{service.env_prefix}_URL"] == f"http://127.0.0.1:{ports.services[service.name]}"
        )
    urls = [c.health_url for c in local_components(ports)]
    assert len(set(urls)) == len(urls)


def test_durable_moto_settings_reach_the_local_moto(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`make dev` honours .env's DURABLE_MOTO_* (the Makefile exports them) like compose does."""
    monkeypatch.setenv("DURABLE_MOTO_FSYNC", "everysec")
    monkeypatch.setenv("DURABLE_MOTO_RECOVER", "last-good")
    env = stack_environment(Ports(), tmp_path)
    assert (env["DURABLE_MOTO_FSYNC"], env["DURABLE_MOTO_RECOVER"]) == ("everysec", "last-good")
    assert env["MOTO_DATA_DIR"] == str(tmp_path / "moto")
