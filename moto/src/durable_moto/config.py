"""Server configuration, from flags or ``DURABLE_MOTO_*`` environment variables."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar

FsyncPolicy = Literal["always", "everysec", "no"]
RecoverMode = Literal["strict", "last-good"]
N = TypeVar("N", int, float)


class DurableConfig(NamedTuple):
    """A tuple rather than a dataclass: ``serve`` reads it once before it starts itself
    again (``cli``), and importing ``dataclasses`` there cost a tenth of a cold start."""

    data_dir: Path
    fsync: FsyncPolicy = "always"
    """always: fsync before every response; everysec: at most ~1 s lost; no: the OS decides."""
    replay_budget_seconds: float = 2.0
    """Snapshot once replaying the journal since the last one would take this long."""
    snapshot_spacing: float = 1.0
    """...or ``snapshot_spacing`` times the CPU the last snapshot took, if that is longer."""
    compact_after_records: int = 10_000
    compact_after_bytes: int = 64 * 1024 * 1024
    recover: RecoverMode = "strict"
    persistence: bool = True
    """False: plain in-memory Moto, nothing written."""
    threads: int = 64
    """Requests served at once; a long poll (SQS WaitTimeSeconds) holds one while it waits."""

    @classmethod
    def from_env(cls, **overrides: object) -> "DurableConfig":
        """The settings, from ``overrides`` (flags), else the environment, else the defaults.

        ``ConfigError`` names the variable and the value it refused: a server that starts
        with a setting it could not honour would fail later, and further from the cause
        (a spacing of 1e308 made the budget infinite, and ``status`` not JSON). A variable
        set to nothing (a blanked line in ``.env``) means its default.
        """
        values: dict[str, object] = {
            "data_dir": Path(_setting("MOTO_DATA_DIR") or "/data"),
            "fsync": _setting("DURABLE_MOTO_FSYNC") or "always",
            "replay_budget_seconds": _seconds("DURABLE_MOTO_REPLAY_BUDGET_SECONDS", 2.0),
            "snapshot_spacing": _seconds("DURABLE_MOTO_SNAPSHOT_SPACING", 1.0),
            "compact_after_records": _count("DURABLE_MOTO_COMPACT_RECORDS", 10_000),
            "compact_after_bytes": _count("DURABLE_MOTO_COMPACT_BYTES", 64 * 1024 * 1024),
            "recover": _setting("DURABLE_MOTO_RECOVER") or "strict",
            "persistence": (_setting("DURABLE_MOTO_PERSISTENCE") or "on") != "off",
            "threads": _count("DURABLE_MOTO_THREADS", 64),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)  # type: ignore[arg-type]
        if config.fsync not in ("always", "everysec", "no"):
            raise ConfigError(
                f"DURABLE_MOTO_FSYNC must be always, everysec or no, not {config.fsync!r}"
            )
        if config.recover not in ("strict", "last-good"):
            raise ConfigError(
                f"DURABLE_MOTO_RECOVER must be strict or last-good, not {config.recover!r}"
            )
        return config


class ConfigError(ValueError):
    """A setting the server refuses to start with; the message names the variable."""


MOST_SECONDS = 1e6
"""The largest budget and spacing taken (11 days: in effect, never by this rule). Larger
ones overflowed to an infinite budget once multiplied by a snapshot's cost."""


def _setting(name: str) -> str:
    return os.environ.get(name, "").strip()


def _seconds(name: str, default: float) -> float:
    """A budget or a spacing: nan fails the range too (it compares false)."""
    wanted = f"a number from 0 to {MOST_SECONDS:g}"
    return _number(name, default, float, lambda value: 0 <= value <= MOST_SECONDS, wanted)


def _count(name: str, default: int) -> int:
    """A count of records, bytes or threads: 1 at least (0 made a snapshot of every write)."""
    return _number(name, default, int, lambda value: value >= 1, "a whole number, 1 or more")


def _number(
    name: str, default: N, parse: Callable[[str], N], fits: Callable[[N], bool], wanted: str
) -> N:
    """The variable's value, its default when unset or empty, else ``ConfigError``."""
    text = _setting(name)
    if not text:
        return default
    try:
        value = parse(text)
    except ValueError:
        raise ConfigError(f"{name} must be {wanted}, not {text!r}") from None
    if not fits(value):
        raise ConfigError(f"{name} must be {wanted}, not {text!r}")
    return value
