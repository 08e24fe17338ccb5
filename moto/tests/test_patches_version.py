"""The patches apply to the pinned Moto only; another version is refused, or runs unpatched."""

import re
from pathlib import Path

import pytest

from durable_moto import patches

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def test_the_patches_are_written_for_the_locked_moto() -> None:
    pinned = re.search(r"^moto==(\S+)$", LOCK.read_text(), re.MULTILINE)
    assert pinned is not None
    assert pinned.group(1) == patches.PINNED_MOTO


def test_another_moto_version_is_refused_with_the_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DURABLE_MOTO_PATCHES", raising=False)
    with pytest.raises(patches.PatchVersionError, match=r"5\.3\.0 is installed.*PATCHES=off"):
        patches.apply("5.3.0")


def test_patches_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DURABLE_MOTO_PATCHES", "off")
    assert patches.apply("5.3.0") is False
