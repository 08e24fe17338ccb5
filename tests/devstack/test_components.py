from pathlib import Path

import pytest

from devstack.components import Ports, local_components, stack_environment


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
    names = ["moto", "seed", "catalog", "orders", "fulfillment", "gateway"]
    assert [c.name for c in components] == names
    assert [c.one_shot for c in components] == [False, True, False, False, False, False]


def test_durable_moto_settings_reach_the_local_moto(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`make dev` honours .env's DURABLE_MOTO_* (the Makefile exports them) like compose does."""
    monkeypatch.setenv("DURABLE_MOTO_FSYNC", "everysec")
    monkeypatch.setenv("DURABLE_MOTO_RECOVER", "last-good")
    env = stack_environment(Ports(), tmp_path)
    assert (env["DURABLE_MOTO_FSYNC"], env["DURABLE_MOTO_RECOVER"]) == ("everysec", "last-good")
    assert env["MOTO_DATA_DIR"] == str(tmp_path / "moto")
