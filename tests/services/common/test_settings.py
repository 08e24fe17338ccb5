import pytest
from pydantic import ValidationError

from services.common.aws import client_config
from services.common.settings import StackSettings


def test_resource_names_carry_stack_and_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACK_NAME", "shop")
    monkeypatch.setenv("STAGE", "dev")
    assert StackSettings().resource_name("catalog", "products") == "shop-dev-catalog-products"


def test_bad_stack_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACK_NAME", "Bad Name!")
    with pytest.raises(ValidationError, match="stack_name"):
        StackSettings()


def test_s3_uses_path_style_only_against_an_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    assert vars(client_config("s3"))["s3"] is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert vars(client_config("s3"))["s3"] == {"addressing_style": "path"}
    assert vars(client_config("dynamodb"))["retries"] == {"mode": "standard", "max_attempts": 3}
